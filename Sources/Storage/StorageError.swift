/// What can go wrong between us and the database, with the database's own words kept.
public enum StorageError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The URL or path names no database we can open (unknown scheme, unreadable folder).
    case invalidLocation(String)
    /// The database refused the connection (server down, bad credentials, unreadable file).
    case connectionFailed(String)
    /// A statement failed; `statement` is the SQL (never the parameter values, which may be secret).
    case statementFailed(message: String, statement: String)
    /// Two writers wanted the same row (a UNIQUE or primary-key violation).
    case constraintViolated(String)
    /// The file's schema is newer than this program knows (written by a later version).
    case schemaTooNew(found: Int, known: Int)
    /// A row did not hold what the reader expected (a missing column or a value of another type).
    case unexpectedValue(column: String)

    public var description: String {
        switch self {
        case .invalidLocation(let message): return "invalid database location: \(message)"
        case .connectionFailed(let message): return "cannot connect to the database: \(message)"
        case .statementFailed(let message, let statement):
            return "database error: \(message) (in: \(statement.split(separator: "\n").joined(separator: " ").prefix(120)))"
        case .constraintViolated(let message): return "database constraint violated: \(message)"
        case .schemaTooNew(let found, let known):
            return "the database's schema is version \(found) but this muse knows only up to \(known); upgrade muse"
        case .unexpectedValue(let column): return "database row has no usable value in column '\(column)'"
        }
    }
}
