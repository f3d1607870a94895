import Storage

/// What can go wrong with accounts, sessions and a user's data.
public enum AccountsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Sign-up with a user name that is taken.
    case usernameTaken
    /// A user name or password of the wrong shape (say which rule failed).
    case invalidCredentials(String)
    /// Wrong user name or password: deliberately not saying which.
    case signInFailed
    /// The session token is unknown, expired or signed out.
    case sessionInvalid
    /// No such conversation, message or fact *for this user* (another user's is "not found" too).
    case notFound(String)
    /// Input from the client that cannot be stored (empty text, text too long).
    case invalidInput(String)
    /// A stored password hash that cannot be read (written by a future version, or damaged).
    case corruptPasswordHash
    /// The store failed.
    case storage(StorageError)

    public var description: String {
        switch self {
        case .usernameTaken: return "that user name is taken"
        case .invalidCredentials(let why): return "invalid user name or password: \(why)"
        case .signInFailed: return "wrong user name or password"
        case .sessionInvalid: return "not signed in (the session is unknown or expired)"
        case .notFound(let what): return "\(what) not found"
        case .invalidInput(let why): return why
        case .corruptPasswordHash: return "the stored password hash cannot be read"
        case .storage(let error): return error.description
        }
    }
}
