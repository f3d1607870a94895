import Storage

/// Why a messaging operation failed.
public enum MessagingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `X-Hub-Signature-256` missing, malformed, or not the HMAC of the body under the app secret.
    case badSignature
    /// The GET handshake's mode or verify token is not what we were configured with.
    case verificationRefused
    /// A webhook body that is not the platform's JSON shape (the reason names what is wrong).
    case malformedPayload(String)
    /// The body's `object` belongs to another platform than the route it was posted to.
    case wrongPlatform(expected: String, found: String)
    /// The Graph API could not be reached or did not answer (timeouts, refused connections).
    case network(String)
    /// The Graph API answered with a status we did not expect.
    case graphStatus(Int, body: String)
    /// The Graph API's answer is not the JSON we expected.
    case malformedGraphResponse(String)
    /// A downloaded image failed validation (size, type, checksum).
    case invalidMedia(String)
    /// A configuration value is unusable (an empty secret, a base URL that is not http(s)).
    case invalidConfiguration(String)
    /// The store failed.
    case store(StorageError)

    public var description: String {
        switch self {
        case .badSignature: return "the X-Hub-Signature-256 header does not match the body"
        case .verificationRefused: return "webhook verification refused: wrong hub.mode or hub.verify_token"
        case .malformedPayload(let reason): return "malformed webhook payload: \(reason)"
        case .wrongPlatform(let expected, let found): return "webhook object '\(found)' posted to the \(expected) route"
        case .network(let reason): return "Graph API unreachable: \(reason)"
        case .graphStatus(let status, let body): return "Graph API answered \(status): \(body.prefix(200))"
        case .malformedGraphResponse(let reason): return "unexpected Graph API answer: \(reason)"
        case .invalidMedia(let reason): return "invalid media: \(reason)"
        case .invalidConfiguration(let reason): return "invalid messaging configuration: \(reason)"
        case .store(let error): return "\(error)"
        }
    }
}
