/// Why a messaging operation failed.
public enum MessagingError: Error, Equatable, Sendable {
    case badSignature
}
