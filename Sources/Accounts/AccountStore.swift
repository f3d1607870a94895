import Foundation
import Storage

/// A person using the web app.
public struct User: Sendable, Equatable, Codable {
    public var id: String
    public var displayName: String
    public var createdMs: Int
}

/// One sign-in method of a user: an OpenID provider's (issuer, subject).
public struct LinkedIdentity: Sendable, Equatable, Codable {
    public var issuer: String
    public var subject: String
    public var email: String?
    public var createdMs: Int
}

/// A signed-in browser: the token goes in the cookie (only its SHA-256 is stored), the CSRF
/// token goes in every state-changing request's header.
public struct WebSession: Sendable, Equatable {
    public var token: String
    public var userId: String
    public var csrfToken: String
    public var expiresMs: Int
}

/// Users, their sign-in methods (OpenID identities, local passwords) and their sessions, on the
/// shared store (Schema migration 5). Every read of a user's data is scoped by user id.
public struct AccountStore: Sendable {
    public let database: Database
    public let hasher: PasswordHasher
    /// Sessions last 30 days from sign-in; signing out ends one at once.
    public static let sessionLifetimeMs = 30 * 24 * 3600 * 1000
    /// 32 bytes = 256 bits for the session token, 16 for the CSRF token.
    static let sessionTokenBytes = 32
    static let csrfTokenBytes = 16
    public static let usernameLength = 3...64
    /// NIST SP 800-63B §5.1.1.2: at least 8 characters; 256 bounds the KDF's input.
    public static let passwordLength = 8...256

    public init(database: Database, hasher: PasswordHasher = PasswordHasher()) {
        self.database = database
        self.hasher = hasher
    }

    static func newID(_ prefix: String) -> String { prefix + "_" + randomToken(byteCount: 12) }

    @discardableResult
    func run<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws(AccountsError) -> T {
        do { return try await database.transaction(body) }
        catch let error as AccountsError { throw error }
        catch let error as StorageError { throw .storage(error) }
        catch { throw .storage(.connectionFailed("\(error)")) }
    }

    // MARK: - Local accounts

    /// Creates a user with a local password.
    public func signUp(username: String, password: String, nowMs: Int) async throws(AccountsError) -> User {
        let name = username.trimmingCharacters(in: .whitespaces).lowercased()
        guard Self.usernameLength.contains(name.count),
              name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || "._-@".unicodeScalars.contains($0) })
        else { throw .invalidCredentials("a user name is 3 to 64 letters, digits or . _ - @") }
        guard Self.passwordLength.contains(password.count) else {
            throw .invalidCredentials("a password is 8 to 256 characters")
        }
        let hash = try hasher.hash(password)
        let user = User(id: Self.newID("usr"), displayName: name, createdMs: nowMs)
        return try await run { connection in
            guard try connection.execute("SELECT user_id FROM local_credentials WHERE username = $1", .text(name)).isEmpty else {
                throw AccountsError.usernameTaken
            }
            try Self.insert(user, connection)
            try connection.execute("INSERT INTO local_credentials (username, user_id, password_hash, created_ms) VALUES ($1, $2, $3, $4)",
                                   .text(name), .text(user.id), .text(hash), SQLValue(nowMs))
            return user
        }
    }

    /// The user whose password this is; `signInFailed` for a wrong name or password alike.
    public func signIn(username: String, password: String) async throws(AccountsError) -> User {
        let name = username.trimmingCharacters(in: .whitespaces).lowercased()
        let row = try await run { connection in
            try connection.execute("""
                SELECT u.id, u.display_name, u.created_ms, c.password_hash FROM local_credentials c
                JOIN users u ON u.id = c.user_id WHERE c.username = $1
                """, .text(name)).first
        }
        // Hash anyway for an unknown name, so timing does not reveal which names exist.
        var stored = Self.decoyHash
        if let row { do { stored = try row.string("password_hash") } catch { throw .storage(error) } }
        guard try PasswordHasher.verify(password, against: stored), let row else { throw .signInFailed }
        return try Self.user(row)
    }

    /// A valid hash of nothing anyone types, for `signIn`'s unknown-name path.
    static let decoyHash: String = (try? PasswordHasher().hash(UUID().uuidString)) ?? ""

    // MARK: - OpenID identities

    /// The user signed in as (issuer, subject): the linked one, else `linkTo` (linking a new
    /// provider to a signed-in user), else a new user.
    public func user(forIssuer issuer: String, subject: String, email: String?, name: String?, linkTo: String? = nil,
                     nowMs: Int) async throws(AccountsError) -> User {
        try await run { connection in
            if let row = try connection.execute("""
                SELECT u.id, u.display_name, u.created_ms FROM user_identities i JOIN users u ON u.id = i.user_id
                WHERE i.issuer = $1 AND i.subject = $2
                """, .text(issuer), .text(subject)).first {
                return try Self.user(row)
            }
            let user: User
            if let linkTo, let row = try connection.execute("SELECT id, display_name, created_ms FROM users WHERE id = $1",
                                                            .text(linkTo)).first {
                user = try Self.user(row)
            } else {
                user = User(id: Self.newID("usr"), displayName: name ?? email ?? "user", createdMs: nowMs)
                try Self.insert(user, connection)
            }
            try connection.execute("INSERT INTO user_identities (issuer, subject, user_id, email, created_ms) VALUES ($1, $2, $3, $4, $5)",
                                   .text(issuer), .text(subject), .text(user.id), SQLValue(email), SQLValue(nowMs))
            return user
        }
    }

    public func identities(userId: String) async throws(AccountsError) -> [LinkedIdentity] {
        try await run { connection in
            try connection.execute("SELECT issuer, subject, email, created_ms FROM user_identities WHERE user_id = $1 ORDER BY created_ms",
                                   .text(userId)).map { row in
                LinkedIdentity(issuer: try row.string("issuer"), subject: try row.string("subject"),
                               email: try row.optionalString("email"), createdMs: try row.int("created_ms"))
            }
        }
    }

    // MARK: - Sessions

    public func startSession(userId: String, nowMs: Int) async throws(AccountsError) -> WebSession {
        let session = WebSession(token: randomToken(byteCount: Self.sessionTokenBytes), userId: userId,
                                 csrfToken: randomToken(byteCount: Self.csrfTokenBytes), expiresMs: nowMs + Self.sessionLifetimeMs)
        try await run { connection in
            try connection.execute("""
                INSERT INTO web_sessions (token_sha256, user_id, csrf_token, created_ms, expires_ms) VALUES ($1, $2, $3, $4, $5)
                """, .text(sha256Hex(session.token)), .text(userId), .text(session.csrfToken), SQLValue(nowMs), SQLValue(session.expiresMs))
        }
        return session
    }

    /// The live session of a cookie token, with its user.
    public func session(token: String, nowMs: Int) async throws(AccountsError) -> (WebSession, User) {
        let row = try await run { connection in
            try connection.execute("""
                SELECT s.csrf_token, s.expires_ms, u.id, u.display_name, u.created_ms FROM web_sessions s
                JOIN users u ON u.id = s.user_id WHERE s.token_sha256 = $1
                """, .text(sha256Hex(token))).first
        }
        guard let row else { throw .sessionInvalid }
        let expires: Int, csrf: String
        do { (expires, csrf) = (try row.int("expires_ms"), try row.string("csrf_token")) } catch { throw .storage(error) }
        guard expires > nowMs else { throw .sessionInvalid }
        let user = try Self.user(row)
        return (WebSession(token: token, userId: user.id, csrfToken: csrf, expiresMs: expires), user)
    }

    public func endSession(token: String) async throws(AccountsError) {
        try await run { connection in
            try connection.execute("DELETE FROM web_sessions WHERE token_sha256 = $1", .text(sha256Hex(token)))
        }
    }

    // MARK: - Rows

    static func insert(_ user: User, _ connection: any SQLConnection) throws {
        try connection.execute("INSERT INTO users (id, display_name, created_ms) VALUES ($1, $2, $3)",
                               .text(user.id), .text(user.displayName), SQLValue(user.createdMs))
    }

    static func user(_ row: SQLRow) throws(AccountsError) -> User {
        do { return User(id: try row.string("id"), displayName: try row.string("display_name"), createdMs: try row.int("created_ms")) }
        catch { throw .storage(error) }
    }
}
