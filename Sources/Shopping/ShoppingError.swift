/// Why a shopping operation failed.
public enum ShoppingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// One line of an import that could not be used; the other lines still are.
    case invalidRow(line: Int, reason: String)
    /// A request or world parameter out of range (a negative price filter, zero products).
    case invalidArgument(String)
    /// Something the request names is not in the catalogue (a product id in feedback).
    case unknown(kind: String, id: String)
    /// The store failed underneath (the storage error's description).
    case storage(String)
    /// The text embedder failed on a product or a query.
    case embedding(String)

    public var description: String {
        switch self {
        case .invalidRow(let line, let reason): return "line \(line): \(reason)"
        case .invalidArgument(let message): return message
        case .unknown(let kind, let id): return "unknown \(kind) '\(id)'"
        case .storage(let message): return message
        case .embedding(let message): return "embedding failed: \(message)"
        }
    }
}
