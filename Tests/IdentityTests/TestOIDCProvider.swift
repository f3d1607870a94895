import Crypto
import Foundation
import Hummingbird
import Identity
import Logging
import NIOCore

/// A minimal OpenID provider on a loopback port, for the tests only: discovery, a JWKS with one
/// RSA and one P-256 key, an authorization endpoint that redirects straight back with a code (no
/// login page), a token endpoint that checks the client secret and the PKCE verifier, and a
/// hook to mint bad ID tokens. `/app/callback` stands in for the relying party's redirect target.
final class TestOIDCProvider: @unchecked Sendable {
    struct Client: Sendable {
        var id: String
        var secret: String
        var authentication: OIDCClientConfiguration.ClientAuthentication
    }

    /// A code handed out and not yet redeemed.
    struct Grant: Sendable {
        var clientID: String
        var redirectURI: String
        var challenge: String
        var nonce: String?
    }

    /// Makes the ID token the token endpoint returns from the claims it would sign.
    typealias IDTokenMint = @Sendable (_ claims: [String: JSONValue], _ minter: TokenMinter) throws -> String

    let minter: TokenMinter
    let now: @Sendable () -> Date
    let subject = "user-42"

    // Everything below is guarded by `lock`: routes run on the server's event loops.
    private let lock = NSLock()
    private var boundPort: Int?
    private var clients: [String: Client] = [:]
    private var grants: [String: Grant] = [:]
    private var issuerOverride: String?
    private var mint: IDTokenMint = { claims, minter in try TokenMinter.token(claims, signing: .rsa(minter.rsaKey)) }

    init(now: @escaping @Sendable () -> Date) throws {
        minter = try TokenMinter()
        self.now = now
    }

    var port: Int { lock.withLock { boundPort ?? 0 } }
    var issuer: String { "http://127.0.0.1:\(port)" }
    var redirectURI: URL { URL(string: "\(issuer)/app/callback")! }

    func register(_ client: Client) { lock.withLock { clients[client.id] = client } }
    /// The discovery document will name this issuer instead of the real one.
    func announceIssuer(_ issuer: String) { lock.withLock { issuerOverride = issuer } }
    /// How ID tokens are minted from now on (to sign with the P-256 key, or to sign bad ones).
    func mintIDTokens(_ mint: @escaping IDTokenMint) { lock.withLock { self.mint = mint } }

    /// Runs `body` while the provider listens on a free loopback port.
    static func run(now: @escaping @Sendable () -> Date, _ body: (TestOIDCProvider) async throws -> Void) async throws {
        let provider = try TestOIDCProvider(now: now)
        var logger = Logger(label: "test-oidc-provider")
        logger.logLevel = .critical  // stopping by cancellation logs errors that are no failure here
        let app = Application(router: provider.router(),
                              configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "test-oidc"),
                              onServerRunning: { channel in provider.lock.withLock { provider.boundPort = channel.localAddress?.port } },
                              logger: logger)
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        defer { server.cancel() }
        // A bound of 60 s only keeps a broken build from hanging; no timing is asserted.
        for _ in 0..<3000 where provider.lock.withLock({ provider.boundPort == nil }) {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        guard provider.lock.withLock({ provider.boundPort != nil }) else { throw CancellationError() }
        try await body(provider)
    }

    private func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get(".well-known/openid-configuration") { _, _ in try self.discovery() }
        router.get("jwks") { _, _ in try Self.json(try self.minter.keySet()) }
        router.get("authorize") { request, _ in self.authorize(FormEncoding.decode(request.uri.query ?? "")) }
        router.post("token") { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 64 * 1024)
            return try self.token(form: FormEncoding.decode(String(buffer: body)),
                                  authorization: request.headers[.authorization])
        }
        router.get("app/callback") { request, _ in request.uri.query ?? "" }
        router.get("moved") { _, _ in Response(status: .found, headers: [.location: "/jwks"]) }
        router.get("big") { _, _ in String(repeating: "x", count: 2 << 20) }
        return router
    }

    private func discovery() throws -> Response {
        let base = issuer
        let document: [String: JSONValue] = [
            "issuer": .string(lock.withLock { issuerOverride } ?? base),
            "authorization_endpoint": .string(base + "/authorize"),
            "token_endpoint": .string(base + "/token"),
            "jwks_uri": .string(base + "/jwks"),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        ]
        return try Self.json(document)
    }

    private func authorize(_ query: [String: String]) -> Response {
        guard query["response_type"] == "code", let clientID = query["client_id"],
              lock.withLock({ clients[clientID] }) != nil else { return Self.text("unknown client or response type", status: 400) }
        guard let redirect = query["redirect_uri"], redirect == redirectURI.absoluteString else {
            return Self.text("unregistered redirect_uri", status: 400)
        }
        guard query["code_challenge_method"] == "S256", let challenge = query["code_challenge"],
              query["scope"]?.split(separator: " ").contains("openid") == true else {
            return Self.text("PKCE S256 and the openid scope are required", status: 400)
        }
        let code = UUID().uuidString
        lock.withLock {
            grants[code] = Grant(clientID: clientID, redirectURI: redirect, challenge: challenge, nonce: query["nonce"])
        }
        let back = redirect + "?" + FormEncoding.encode([("code", code), ("state", query["state"] ?? "")])
        return Response(status: .found, headers: [.location: back])
    }

    private func token(form: [String: String], authorization: String?) throws -> Response {
        guard let client = authenticate(form: form, authorization: authorization) else {
            return try Self.oauthError("invalid_client", status: 401)
        }
        guard form["grant_type"] == "authorization_code" else { return try Self.oauthError("unsupported_grant_type") }
        // Codes are single-use: taken out whether or not the rest checks out.
        let grant = lock.withLock { grants.removeValue(forKey: form["code"] ?? "") }
        guard let grant, grant.clientID == client.id, grant.redirectURI == form["redirect_uri"] else {
            return try Self.oauthError("invalid_grant", "unknown code, or another client or redirect_uri")
        }
        guard let verifier = form["code_verifier"], PKCE.isValidVerifier(verifier),
              PKCE.challenge(for: verifier) == grant.challenge else {
            return try Self.oauthError("invalid_grant", "PKCE verification failed")
        }
        let claims = TokenMinter.claims(issuer: issuer, audience: client.id, subject: subject, nonce: grant.nonce, now: now())
        let idToken = try lock.withLock { mint }(claims, minter)
        let answer: [String: JSONValue] = [
            "access_token": .string(UUID().uuidString), "token_type": "Bearer", "expires_in": 3600,
            "id_token": .string(idToken),
        ]
        return try Self.json(answer)
    }

    /// The client, if it authenticated the way it is registered to (RFC 6749 §2.3.1).
    private func authenticate(form: [String: String], authorization: String?) -> Client? {
        let id: String?
        let secret: String?
        let method: OIDCClientConfiguration.ClientAuthentication
        if let authorization, authorization.hasPrefix("Basic "),
           let decoded = Data(base64Encoded: String(authorization.dropFirst(6))).flatMap({ String(data: $0, encoding: .utf8) }) {
            let parts = decoded.split(separator: ":", maxSplits: 1).map { $0.removingPercentEncoding }
            (id, secret, method) = (parts.first ?? nil, parts.count > 1 ? parts[1] : nil, .clientSecretBasic)
        } else {
            (id, secret, method) = (form["client_id"], form["client_secret"], .clientSecretPost)
        }
        guard let id, let secret, let client = lock.withLock({ clients[id] }),
              client.authentication == method, client.secret == secret else { return nil }
        return client
    }

    private static func json(_ value: some Encodable, status: Int = 200) throws -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(value))))
    }

    private static func oauthError(_ error: String, _ description: String? = nil, status: Int = 400) throws -> Response {
        var body: [String: JSONValue] = ["error": .string(error)]
        if let description { body["error_description"] = .string(description) }
        return try json(body, status: status)
    }

    private static func text(_ message: String, status: Int) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "text/plain"],
                 body: .init(byteBuffer: ByteBuffer(string: message)))
    }
}
