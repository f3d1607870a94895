import Accounts
import Foundation
import Hummingbird
import Identity
import Messaging
import Storage

/// The web assistant's server side: accounts and sessions, the optional OpenID provider and
/// the sign-ins waiting for it. Given to `MuseAPI`, it adds `/` and the `/web/...` routes.
public final class WebApp: Sendable {
    public let accounts: AccountStore
    /// The chat identities linked to accounts and the codes that link them, on the same store.
    public let chatLinks: MessagingStore
    /// Sign-in with an OpenID provider; nil: local accounts only.
    public let openID: OpenIDRelyingParty?
    /// Shown on the sign-in button ("Continue with ...").
    public let providerName: String
    /// Cookies get `Secure` when the site is served over https.
    public let secureCookies: Bool
    let pending = PendingSignIns()
    let now: @Sendable () -> Date

    public init(accounts: AccountStore, openID: OIDCClientConfiguration? = nil, providerName: String = "OpenID",
                secureCookies: Bool = false, transport: any HTTPTransport = URLSessionTransport(),
                now: @escaping @Sendable () -> Date = Date.init) {
        self.accounts = accounts
        chatLinks = MessagingStore(database: accounts.database)
        self.openID = openID.map { OpenIDRelyingParty(configuration: $0, transport: transport, now: now) }
        self.providerName = providerName
        self.secureCookies = secureCookies
        self.now = now
    }

    static let sessionCookie = "muse_session"
    static let signInCookie = "muse_signin"
    // A constant, valid header name: the initializer cannot fail for it.
    static let csrfHeader = HeaderField.Name("X-CSRF-Token")!

    var nowMs: Int { Clock.milliseconds(now()) }

    /// `Set-Cookie` for `name`: HttpOnly, SameSite=Lax (sent on the provider's redirect back,
    /// never on cross-site POSTs), Secure over https; `maxAge` 0 deletes it.
    func cookie(_ name: String, _ value: String, maxAge: Int) -> HeaderField {
        var text = "\(name)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Lax"
        if secureCookies { text += "; Secure" }
        return HeaderField(name: .setCookie, value: text)
    }

    static func cookieValue(_ request: Request, _ name: String) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == name { return String(parts[1]) }
            }
        }
        return nil
    }

    /// The signed-in session and user of a request, else 401.
    func signedIn(_ request: Request) async throws(APIError) -> (WebSession, User) {
        guard let token = Self.cookieValue(request, Self.sessionCookie) else { throw .unauthorized("sign in first", code: "not_signed_in") }
        do { return try await accounts.session(token: token, nowMs: nowMs) }
        catch { throw .unauthorized("your session has ended; sign in again", code: "not_signed_in") }
    }

    /// The session of a state-changing request: signed in, and carrying the session's CSRF
    /// token in `X-CSRF-Token` (a cross-site page can send the cookie, never the header).
    func signedInChanging(_ request: Request) async throws(APIError) -> (WebSession, User) {
        let (session, user) = try await signedIn(request)
        guard let sent = request.headers[Self.csrfHeader],
              constantTimeEqual(Data(sent.utf8), Data(session.csrfToken.utf8)) else {
            throw .forbidden("missing or wrong CSRF token; reload the page", code: "csrf_failed")
        }
        return (session, user)
    }

    /// Sign-in and sign-up take JSON only: a cross-site form cannot send it without a CORS
    /// preflight, so no other site can sign a browser in to an account of its choosing.
    static func requireJSON(_ request: Request) throws(APIError) {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true else {
            throw .forbidden("send application/json", code: "csrf_failed")
        }
    }
}

/// One header line (Hummingbird names the collection `HTTPFields`, not its element).
typealias HeaderField = HTTPFields.Element

func constantTimeEqual(_ a: Data, _ b: Data) -> Bool {
    guard a.count == b.count else { return false }
    return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
}

/// OpenID sign-ins between the redirect to the provider and its callback, keyed by `state`
/// (also kept in the browser's cookie, which binds the callback to the browser that began it).
actor PendingSignIns {
    /// More than this many unfinished sign-ins: the oldest are dropped (bounds memory).
    static let capacity = 10_000
    private var byState: [String: (pending: PendingSignIn, linkTo: String?)] = [:]

    func add(_ pending: PendingSignIn, linkTo: String?, now: Date) {
        byState = byState.filter { !$0.value.pending.isExpired(at: now) }
        if byState.count >= Self.capacity, let oldest = byState.min(by: { $0.value.pending.createdAt < $1.value.pending.createdAt }) {
            byState[oldest.key] = nil
        }
        byState[pending.state] = (pending, linkTo)
    }

    /// Takes the sign-in out: each is used once.
    func take(state: String) -> (pending: PendingSignIn, linkTo: String?)? {
        byState.removeValue(forKey: state)
    }
}

extension AccountsError {
    var apiError: APIError {
        switch self {
        case .usernameTaken: return .badRequest(description, param: "username", code: "username_taken")
        case .invalidCredentials, .invalidInput: return .badRequest(description)
        case .signInFailed: return .unauthorized(description, code: "sign_in_failed")
        case .sessionInvalid: return .unauthorized(description, code: "not_signed_in")
        case .notFound: return .notFound(description)
        case .corruptPasswordHash, .storage: return .internalFailure(description)
        }
    }
}

/// Runs an accounts call, its errors as HTTP errors.
func accountsCall<T>(_ body: () async throws(AccountsError) -> T) async throws(APIError) -> T {
    do { return try await body() } catch { throw error.apiError }
}
