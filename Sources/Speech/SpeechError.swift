/// Why speech synthesis or a WAV file failed.
public enum SpeechError: Error, Equatable, Sendable, CustomStringConvertible {
    /// espeak-ng could not start (its data folder missing: install Debian's espeak-ng).
    case engineUnavailable(String)
    /// espeak-ng refused the text.
    case synthesisFailed(String)
    /// A WAV file that is not 16-bit PCM RIFF, or is cut short.
    case invalidWAV(String)

    public var description: String {
        switch self {
        case .engineUnavailable(let reason): return "speech synthesis unavailable: \(reason)"
        case .synthesisFailed(let reason): return "speech synthesis failed: \(reason)"
        case .invalidWAV(let reason): return "invalid WAV: \(reason)"
        }
    }
}
