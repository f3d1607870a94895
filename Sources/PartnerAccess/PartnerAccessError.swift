import Storage

/// Why a partner-access operation was refused (the CLI prints these; the server maps them to HTTP).
public enum PartnerAccessError: Error, Equatable, CustomStringConvertible, Sendable {
    case invalidArgument(String)
    case keyNotFound(String)
    case ambiguousKey(String, matches: Int)
    case storage(StorageError)

    public var description: String {
        switch self {
        case .invalidArgument(let message): return message
        case .keyNotFound(let key): return "no key has the id or prefix '\(key)'"
        case .ambiguousKey(let key, let matches): return "'\(key)' matches \(matches) keys; give the key id"
        case .storage(let error): return error.description
        }
    }
}
