import Crypto
import Foundation

/// PKCE (RFC 7636) with the S256 method only: `plain` would send the verifier itself.
public enum PKCE {
    /// 32 random bytes give a 43-character verifier, the shortest RFC 7636 allows, with 256 bits
    /// of entropy.
    static let verifierByteCount = 32

    /// A fresh `code_verifier`: base64url of CSPRNG bytes, so 43 characters of `[A-Za-z0-9-_]`.
    public static func makeVerifier() -> String { randomToken(byteCount: verifierByteCount) }

    /// `code_challenge` = BASE64URL(SHA256(ASCII(verifier))).
    public static func challenge(for verifier: String) -> String {
        Base64URL.encode(SHA256.hash(data: Data(verifier.utf8)))
    }

    /// Whether `verifier` has RFC 7636's shape: 43-128 characters of `[A-Za-z0-9-._~]`.
    public static func isValidVerifier(_ verifier: String) -> Bool {
        (43...128).contains(verifier.utf8.count) && verifier.unicodeScalars.allSatisfy {
            switch $0 {
            case "A"..."Z", "a"..."z", "0"..."9", "-", ".", "_", "~": true
            default: false
            }
        }
    }
}

/// Unguessable base64url text from the system CSPRNG (`SystemRandomNumberGenerator` reads
/// getrandom(2)/arc4random, never a seeded generator).
func randomToken(byteCount: Int) -> String {
    var generator = SystemRandomNumberGenerator()
    return Base64URL.encode((0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
}

/// What the caller keeps (in an encrypted cookie or a server-side session) between sending the
/// user to the provider and the provider sending them back. Everything in it is secret.
public struct PendingSignIn: Sendable, Equatable, Codable {
    /// Long enough to type a password and pass a second factor; short enough that a leaked
    /// callback URL is soon useless.
    public static let defaultLifetime: TimeInterval = 10 * 60
    /// 128 bits each, as for any CSRF token.
    static let stateByteCount = 16
    static let nonceByteCount = 16

    public var issuer: String
    public var state: String
    public var nonce: String
    public var codeVerifier: String
    public var redirectURI: URL
    public var createdAt: Date
    public var expiresAt: Date

    public init(issuer: String, state: String, nonce: String, codeVerifier: String, redirectURI: URL,
                createdAt: Date, lifetime: TimeInterval = PendingSignIn.defaultLifetime) {
        (self.issuer, self.state, self.nonce, self.codeVerifier) = (issuer, state, nonce, codeVerifier)
        (self.redirectURI, self.createdAt, self.expiresAt) = (redirectURI, createdAt, createdAt.addingTimeInterval(lifetime))
    }

    /// A fresh sign-in with new random state, nonce and verifier.
    public static func start(issuer: String, redirectURI: URL, at now: Date,
                             lifetime: TimeInterval = PendingSignIn.defaultLifetime) -> PendingSignIn {
        PendingSignIn(issuer: issuer, state: randomToken(byteCount: stateByteCount),
                      nonce: randomToken(byteCount: nonceByteCount), codeVerifier: PKCE.makeVerifier(),
                      redirectURI: redirectURI, createdAt: now, lifetime: lifetime)
    }

    public func isExpired(at now: Date) -> Bool { now >= expiresAt }
}

/// The parameters a provider appends to the redirect URI when it sends the user back.
public struct AuthorizationCallback: Sendable, Equatable {
    public var code: String?
    public var state: String?
    public var error: String?
    public var errorDescription: String?

    public init(code: String? = nil, state: String? = nil, error: String? = nil, errorDescription: String? = nil) {
        (self.code, self.state, self.error, self.errorDescription) = (code, state, error, errorDescription)
    }

    /// Reads the query of the URL the browser arrived at.
    public init(url: URL) {
        let items = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []
        func value(_ name: String) -> String? { items.first { $0.name == name }?.value }
        self.init(code: value("code"), state: value("state"), error: value("error"),
                  errorDescription: value("error_description"))
    }
}
