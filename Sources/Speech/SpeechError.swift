/// Why speech synthesis, recognition or a WAV file failed.
public enum SpeechError: Error, Equatable, Sendable, CustomStringConvertible {
    /// espeak-ng or pocketsphinx could not start (data or model missing: install Debian's packages).
    case engineUnavailable(String)
    /// espeak-ng refused the text.
    case synthesisFailed(String)
    /// A WAV file that is not 16-bit PCM RIFF, or is cut short.
    case invalidWAV(String)
    /// pocketsphinx could not decode the recording (too long, or a decoder failure).
    case recognitionFailed(String)

    public var description: String {
        switch self {
        case .engineUnavailable(let reason): return "speech engine unavailable: \(reason)"
        case .synthesisFailed(let reason): return "speech synthesis failed: \(reason)"
        case .invalidWAV(let reason): return "invalid WAV: \(reason)"
        case .recognitionFailed(let reason): return "speech recognition failed: \(reason)"
        }
    }
}
