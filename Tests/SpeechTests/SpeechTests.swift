import Foundation
import Speech
import Testing

@Suite struct SpeechTests {
    /// Speech is far louder than this RMS (16-bit full scale is 32767); silence is 0.
    static let silenceRMS = 100.0

    static func rms(_ samples: [Int16]) -> Double {
        (samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(samples.count, 1))).squareRoot()
    }

    @Test func espeakSpeaksASentenceIntoAWAVThatDecodes() throws {
        let synthesizer = try SpeechSynthesizer.shared.get()
        let wav = try synthesizer.synthesize("The oat milk is on the top shelf.")
        #expect(synthesizer.sampleRate == 22050, "espeak-ng's voices run at 22050 Hz")
        // Eight words take espeak-ng's default 175 words a minute about 2.5 s; 1 to 5 s allows for pauses.
        #expect((1.0...5.0).contains(wav.durationSeconds), "\(wav.durationSeconds) s")
        let decoded = try WAVFile.decode(wav.encoded())
        #expect(decoded == wav && decoded.sampleRate == 22050)
        #expect(Self.rms(decoded.samples) > Self.silenceRMS)
    }

    @Test func sentencesArriveOneByOne() async throws {
        let synthesizer = try SpeechSynthesizer.shared.get()
        var parts: [WAVFile] = []
        for try await part in synthesizer.sentenceBySentence("It is on the left. Second shelf! Want more?") { parts.append(part) }
        #expect(parts.count == 3 && parts.allSatisfy { $0.durationSeconds > 0.3 && Self.rms($0.samples) > Self.silenceRMS })
    }

    @Test func sentenceSplitting() {
        #expect(SpeechSynthesizer.sentences("Hi. It costs 3.50 euros! Ok?  ") == ["Hi.", "It costs 3.50 euros!", "Ok?"])
        #expect(SpeechSynthesizer.sentences("no end") == ["no end"])
        #expect(SpeechSynthesizer.sentences("  ") == [])
    }

    @Test func brokenWAVsAreTypedErrors() throws {
        #expect(throws: SpeechError.invalidWAV("no RIFF/WAVE header")) { try WAVFile.decode(Data("hello".utf8)) }
        var cut = WAVFile(sampleRate: 16000, samples: [1, 2, 3]).encoded()
        cut.removeLast(4)
        #expect(throws: SpeechError.invalidWAV("chunk 'data' runs past the end")) { try WAVFile.decode(cut) }
        let stereo = WAVFile(sampleRate: 8000, samples: [0]).encoded()
        var changed = [UInt8](stereo)
        changed[22] = 2  // channels
        #expect(throws: SpeechError.invalidWAV("only mono 16-bit PCM is read")) { try WAVFile.decode(Data(changed)) }
    }
}
