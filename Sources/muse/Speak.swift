import ArgumentParser
import Foundation
import Speech

struct Speak: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Speak TEXT with espeak-ng into a WAV file, sentence by sentence; prints the time to the first and the last sentence's audio.")

    @Argument(help: "Text to speak.")
    var text: String

    @Option(name: .long, help: "WAV file to write (mono, 16-bit, espeak-ng's 22050 Hz).")
    var out: String

    func run() async throws {
        let synthesizer: SpeechSynthesizer
        do { synthesizer = try SpeechSynthesizer.shared.get() } catch { throw CommandFailure(error) }
        let start = ContinuousClock.now
        var samples: [Int16] = [], firstAudio: Duration?
        for try await part in synthesizer.sentenceBySentence(text) {
            if firstAudio == nil { firstAudio = ContinuousClock.now - start }
            samples += part.samples
        }
        let total = ContinuousClock.now - start
        let wav = WAVFile(sampleRate: synthesizer.sampleRate, samples: samples)
        do { try wav.encoded().write(to: URL(fileURLWithPath: out)) } catch { throw CommandFailure("cannot write \(out): \(error)") }
        func ms(_ duration: Duration?) -> String {
            guard let duration else { return "-" }
            return String(format: "%.1f", Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
        }
        print("\(out): \(String(format: "%.2f", wav.durationSeconds)) s of audio at \(wav.sampleRate) Hz; "
              + "first sentence's audio after \(ms(firstAudio)) ms, all after \(ms(total)) ms")
    }
}
