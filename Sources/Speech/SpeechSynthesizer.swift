import CEspeakNG
import Foundation

/// Text to speech with espeak-ng through its C API (Debian's libespeak-ng). espeak-ng keeps one
/// global engine, so every call runs on one serial queue; synchronous output mode hands the
/// samples to the callback on that same thread before `espeak_Synth` returns.
public final class SpeechSynthesizer: Sendable {
    /// The process's one engine (espeak-ng cannot have two); the error says why it cannot start.
    public static let shared: Result<SpeechSynthesizer, SpeechError> = Result { () throws(SpeechError) in try SpeechSynthesizer() }

    /// espeak-ng's own rate (22050 Hz for its voices), as `espeak_Initialize` reports it.
    public let sampleRate: Int
    private let queue = DispatchQueue(label: "muse.speech.espeak")

    private init(voice: String = "en") throws(SpeechError) {
        // 0 ms buffer: the default; synchronous output: samples come through the callback, nothing is played.
        let rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nil, 0)
        guard rate > 0 else { throw .engineUnavailable("espeak_Initialize returned \(rate)") }
        espeak_SetSynthCallback(collectSamples)
        guard espeak_SetVoiceByName(voice) == EE_OK else { throw .engineUnavailable("no espeak-ng voice '\(voice)'") }
        sampleRate = Int(rate)
    }

    /// The whole text spoken, as one WAV.
    public func synthesize(_ text: String) throws(SpeechError) -> WAVFile {
        try queue.sync { render(text) }.get()
    }

    /// The whole text spoken, as one WAV, without holding a thread of the caller's while espeak-ng works.
    public func speak(_ text: String) async throws(SpeechError) -> WAVFile {
        let result: Result<WAVFile, SpeechError> = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.render(text)) }
        }
        return try result.get()
    }

    /// Runs on `queue` only.
    private func render(_ text: String) -> Result<WAVFile, SpeechError> {
        let sink = SampleSink()
        let context = Unmanaged.passRetained(sink)
        defer { context.release() }
        let status = text.withCString { pointer in
            espeak_Synth(pointer, strlen(pointer) + 1, 0, POS_CHARACTER, 0, UInt32(espeakCHARS_UTF8), nil, context.toOpaque())
        }
        guard status == EE_OK else { return .failure(.synthesisFailed("espeak_Synth returned \(status.rawValue)")) }
        return .success(WAVFile(sampleRate: sampleRate, samples: sink.samples))
    }

    /// One WAV per sentence, each as soon as it is synthesised: the first is ready long before
    /// the whole answer would be.
    public func sentenceBySentence(_ text: String) -> AsyncThrowingStream<WAVFile, any Error> {
        AsyncThrowingStream { continuation in
            queue.async {
                for sentence in Self.sentences(text) {
                    switch self.render(sentence) {
                    case .success(let wav): continuation.yield(wav)
                    case .failure(let error):
                        continuation.finish(throwing: error)
                        return
                    }
                }
                continuation.finish()
            }
        }
    }

    /// Splits after `.`, `!` or `?` followed by a space or the end; empty pieces are dropped.
    public static func sentences(_ text: String) -> [String] {
        var sentences: [String] = [], current = ""
        var characters = text.makeIterator(), pending = characters.next()
        while let character = pending {
            current.append(character)
            pending = characters.next()
            if ".!?".contains(character), pending == nil || pending?.isWhitespace == true {
                sentences.append(current.trimmingCharacters(in: .whitespacesAndNewlines))
                current = ""
            }
        }
        sentences.append(current.trimmingCharacters(in: .whitespacesAndNewlines))
        return sentences.filter { !$0.isEmpty }
    }
}

/// Where the callback puts one synthesis's samples; touched only on the synthesizer's queue.
private final class SampleSink: @unchecked Sendable {
    var samples: [Int16] = []
}

/// espeak-ng's synth callback: `wav` holds `count` samples (NULL at the end); the events carry
/// the `user_data` pointer given to `espeak_Synth`, our sink. Returning 0 continues.
private func collectSamples(_ wav: UnsafeMutablePointer<Int16>?, _ count: Int32, _ events: UnsafeMutablePointer<espeak_EVENT>?) -> Int32 {
    guard let wav, count > 0, let data = events?.pointee.user_data else { return 0 }
    let sink = Unmanaged<SampleSink>.fromOpaque(data).takeUnretainedValue()
    sink.samples.append(contentsOf: UnsafeBufferPointer(start: wav, count: Int(count)))
    return 0
}
