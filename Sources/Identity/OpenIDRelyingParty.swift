import Foundation

/// One provider as configured by the operator: its issuer URL and our client registration there.
public struct OIDCClientConfiguration: Sendable, Equatable {
    /// How we authenticate at the token endpoint (OIDC Core §9).
    public enum ClientAuthentication: String, Sendable, Equatable, Codable {
        case clientSecretBasic = "client_secret_basic"
        case clientSecretPost = "client_secret_post"
        /// A public client: PKCE alone binds the code to us.
        case none
    }

    public var issuer: String
    public var clientID: String
    public var clientSecret: String?
    public var authentication: ClientAuthentication
    public var redirectURI: URL
    /// Requested besides `openid`, which is always sent.
    public var extraScopes: [String]
    public var allowedAlgorithms: Set<JWSAlgorithm>
    public var pendingSignInLifetime: TimeInterval

    public init(issuer: String, clientID: String, clientSecret: String?,
                authentication: ClientAuthentication = .clientSecretBasic, redirectURI: URL,
                extraScopes: [String] = ["email", "profile"],
                allowedAlgorithms: Set<JWSAlgorithm> = JWSAlgorithm.defaultAllowed,
                pendingSignInLifetime: TimeInterval = PendingSignIn.defaultLifetime) {
        (self.issuer, self.clientID, self.clientSecret, self.authentication) = (issuer, clientID, clientSecret, authentication)
        (self.redirectURI, self.extraScopes, self.allowedAlgorithms) = (redirectURI, extraScopes, allowedAlgorithms)
        self.pendingSignInLifetime = pendingSignInLifetime
    }

    /// `openid` first, then the extras, each once.
    var scope: String {
        var seen: Set<String> = ["openid"]
        return (["openid"] + extraScopes.filter { seen.insert($0).inserted }).joined(separator: " ")
    }
}

/// What a completed sign-in yields: the verified identity and the provider's tokens.
public struct SignInResult: Sendable, Equatable {
    public var identity: VerifiedIdentity
    public var tokens: TokenResponse
}

/// The authorization-code flow with PKCE against one OpenID provider: discovery (cached), the
/// authorization URL, the callback, the code exchange and ID-token validation.
public actor OpenIDRelyingParty {
    public let configuration: OIDCClientConfiguration
    private let transport: any HTTPTransport
    private let now: @Sendable () -> Date
    private var provider: OIDCProviderConfiguration?
    private var validator: IDTokenValidator?

    public init(configuration: OIDCClientConfiguration, transport: any HTTPTransport = URLSessionTransport(),
                now: @escaping @Sendable () -> Date = Date.init) {
        (self.configuration, self.transport, self.now) = (configuration, transport, now)
    }

    /// The provider's discovered metadata, fetched on first use and kept.
    public func providerConfiguration() async throws(IdentityError) -> OIDCProviderConfiguration {
        if let provider { return provider }
        let discovered = try await OIDCProviderConfiguration.discover(issuer: configuration.issuer, transport: transport)
        // Another caller may have finished discovery while this one waited.
        if let provider { return provider }
        provider = discovered
        return discovered
    }

    /// The ID-token validator for this provider, sharing one JWKS cache across sign-ins.
    public func tokenValidator() async throws(IdentityError) -> IDTokenValidator {
        if let validator { return validator }
        let provider = try await providerConfiguration()
        if let validator { return validator }
        let made = IDTokenValidator(
            issuer: provider.issuer, clientID: configuration.clientID,
            keys: JWKSCache(url: provider.jwksURI, transport: transport, now: now),
            allowedAlgorithms: configuration.allowedAlgorithms, now: now)
        validator = made
        return made
    }

    /// Starts a sign-in: the URL to send the browser to, and the secrets to keep until it returns.
    public func beginSignIn(extraParameters: [String: String] = [:]) async throws(IdentityError)
        -> (url: URL, pending: PendingSignIn) {
        let provider = try await providerConfiguration()
        let pending = PendingSignIn.start(issuer: provider.issuer, redirectURI: configuration.redirectURI,
                                          at: now(), lifetime: configuration.pendingSignInLifetime)
        let url = try authorizationURL(provider: provider, pending: pending, extraParameters: extraParameters)
        return (url, pending)
    }

    /// The authorization request (OIDC Core §3.1.2.1) for `pending`.
    public func authorizationURL(provider: OIDCProviderConfiguration, pending: PendingSignIn,
                                 extraParameters: [String: String] = [:]) throws(IdentityError) -> URL {
        guard var components = URLComponents(url: provider.authorizationEndpoint, resolvingAgainstBaseURL: false) else {
            throw .malformedDiscoveryDocument("authorization_endpoint is not a URL")
        }
        // Ours come last and win: extra parameters cannot replace state, nonce or the challenge.
        let ours: [(String, String)] = [
            ("response_type", "code"), ("client_id", configuration.clientID),
            ("redirect_uri", pending.redirectURI.absoluteString), ("scope", configuration.scope),
            ("state", pending.state), ("nonce", pending.nonce),
            ("code_challenge", PKCE.challenge(for: pending.codeVerifier)), ("code_challenge_method", "S256"),
        ]
        let reserved = Set(ours.map(\.0))
        let extras = extraParameters.filter { !reserved.contains($0.key) }.sorted { $0.key < $1.key }
        let added = FormEncoding.encode(extras.map { ($0.key, $0.value) } + ours)
        components.percentEncodedQuery = [components.percentEncodedQuery, added].compactMap { $0 }
            .filter { !$0.isEmpty }.joined(separator: "&")
        guard let url = components.url else { throw .malformedDiscoveryDocument("authorization_endpoint is not a URL") }
        return url
    }

    /// Finishes a sign-in from the provider's callback: checks it against `pending`, exchanges
    /// the code and validates the ID token.
    public func completeSignIn(callback: AuthorizationCallback, pending: PendingSignIn) async throws(IdentityError)
        -> SignInResult {
        guard !pending.isExpired(at: now()) else { throw .signInExpired }
        guard pending.issuer == configuration.issuer else {
            throw .issuerMismatch(expected: configuration.issuer, found: pending.issuer)
        }
        // The state is checked before the error too: an attacker must not be able to plant errors.
        guard let state = callback.state, constantTimeEquals(state, pending.state) else { throw .stateMismatch }
        if let error = callback.error { throw .authorizationDenied(error: error, description: callback.errorDescription) }
        guard let code = callback.code, !code.isEmpty else { throw .missingAuthorizationCode }
        let tokens = try await exchange(code: code, pending: pending)
        let identity = try await tokenValidator().validate(tokens.idToken, nonce: pending.nonce)
        return SignInResult(identity: identity, tokens: tokens)
    }

    /// The token request (OIDC Core §3.1.3.1) with the PKCE verifier.
    public func exchange(code: String, pending: PendingSignIn) async throws(IdentityError) -> TokenResponse {
        let provider = try await providerConfiguration()
        let request = try TokenRequest.authorizationCode(
            code: code, verifier: pending.codeVerifier, redirectURI: pending.redirectURI,
            endpoint: provider.tokenEndpoint, configuration: configuration)
        return try await TokenRequest.send(request, transport: transport)
    }
}
