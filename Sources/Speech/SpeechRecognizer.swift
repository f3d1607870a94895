import CPocketSphinx
import Foundation

/// Speech to text with pocketsphinx through its C API (Debian 12's libpocketsphinx, 5prealpha,
/// and the pocketsphinx-en-us acoustic model, language model and dictionary). One decoder holds
/// one utterance at a time, so every recognition runs on one serial queue.
public final class SpeechRecognizer: Sendable {
    /// The process's recognizer on Debian's US English model; the error says why it cannot start.
    public static let shared: Result<SpeechRecognizer, SpeechError> = Result { () throws(SpeechError) in
        try SpeechRecognizer(modelFolder: defaultModelFolder)
    }

    /// Where Debian's pocketsphinx-en-us installs the model.
    public static let defaultModelFolder = "/usr/share/pocketsphinx/model/en-us"
    /// The en-us acoustic model was trained on 16 kHz speech; other rates are resampled to it.
    public static let sampleRate = 16000
    /// Longer questions are refused: 30 s is far beyond a spoken question and bounds decode time.
    public static let maxSeconds = 30.0

    private let queue = DispatchQueue(label: "muse.speech.pocketsphinx")
    private let decoder: Decoder

    /// - Parameter modelFolder: holds `en-us/` (acoustic model), `en-us.lm.bin` and `cmudict-en-us.dict`.
    public init(modelFolder: String) throws(SpeechError) {
        let files = ["-hmm": "\(modelFolder)/en-us", "-lm": "\(modelFolder)/en-us.lm.bin", "-dict": "\(modelFolder)/cmudict-en-us.dict"]
        for (_, path) in files where !FileManager.default.fileExists(atPath: path) {
            throw .engineUnavailable("pocketsphinx model file \(path) missing: install Debian's pocketsphinx-en-us")
        }
        // The decoder logs every step to stderr unless given a log file.
        let arguments = ["muse"] + files.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] } + ["-logfn", "/dev/null"]
        let config: OpaquePointer? = withCStrings(arguments) { argv in
            cmd_ln_parse_r(nil, ps_args(), Int32(argv.count), argv.baseAddress, 1)
        }
        guard let config else { throw .engineUnavailable("pocketsphinx refused its configuration") }
        defer { cmd_ln_free_r(config) }  // ps_init keeps its own reference
        guard let handle = ps_init(config) else { throw .engineUnavailable("ps_init failed on \(modelFolder)") }
        decoder = Decoder(handle: handle)
    }

    /// The words heard in `wav` (lower case, space-separated; empty when nothing was recognised).
    /// Several channels were already averaged by `WAVFile.decode`; other rates are resampled to 16 kHz.
    public func recognize(_ wav: WAVFile) async throws(SpeechError) -> String {
        let result: Result<String, SpeechError> = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.decode(wav)) }
        }
        return try result.get()
    }

    /// Runs on `queue` only.
    private func decode(_ wav: WAVFile) -> Result<String, SpeechError> {
        guard wav.durationSeconds <= Self.maxSeconds else {
            return .failure(.recognitionFailed("the recording is \(Int(wav.durationSeconds)) s; at most \(Int(Self.maxSeconds)) s is heard"))
        }
        let audio = wav.resampled(to: Self.sampleRate)
        let ps = decoder.handle
        guard ps_start_utt(ps) == 0 else { return .failure(.recognitionFailed("ps_start_utt failed")) }
        // no_search 0, full_utt 1: the whole recording is one utterance.
        let processed = audio.samples.withUnsafeBufferPointer { ps_process_raw(ps, $0.baseAddress, $0.count, 0, 1) }
        let ended = ps_end_utt(ps)
        guard processed >= 0, ended == 0 else { return .failure(.recognitionFailed("pocketsphinx could not decode the audio")) }
        var score: Int32 = 0
        guard let hypothesis = ps_get_hyp(ps, &score) else { return .success("") }
        return .success(String(cString: hypothesis))
    }
}

/// The `ps_decoder_t`, freed with its recognizer; used only on the recognizer's queue.
private final class Decoder: @unchecked Sendable {
    let handle: OpaquePointer
    init(handle: OpaquePointer) { self.handle = handle }
    deinit { ps_free(handle) }
}

/// `body` gets a C `argv` of `strings`, valid only during the call.
private func withCStrings<R>(_ strings: [String], _ body: (UnsafeMutableBufferPointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers = strings.map { strdup($0) }
    defer { pointers.forEach { free($0) } }
    return pointers.withUnsafeMutableBufferPointer { body($0) }
}
