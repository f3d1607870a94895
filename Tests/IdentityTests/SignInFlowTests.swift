import Foundation
import Identity
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The whole authorization-code flow over real HTTP against `TestOIDCProvider` on loopback:
/// discovery, the authorization redirect, the code exchange and ID-token validation.
@Suite struct SignInFlowTests {
    static let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
    static let client = TestOIDCProvider.Client(id: "muse", secret: "s3cr3t+/=&", authentication: .clientSecretBasic)

    static func relyingParty(_ provider: TestOIDCProvider, client: TestOIDCProvider.Client = client,
                             secret: String? = nil, clock: @escaping @Sendable () -> Date = { SignInFlowTests.now }) -> OpenIDRelyingParty {
        OpenIDRelyingParty(
            configuration: OIDCClientConfiguration(issuer: provider.issuer, clientID: client.id,
                                                   clientSecret: secret ?? client.secret,
                                                   authentication: client.authentication, redirectURI: provider.redirectURI),
            now: clock)
    }

    /// Plays the browser: follows the authorization URL to the callback and returns what arrived.
    static func authorize(_ url: URL) async throws -> AuthorizationCallback {
        let (_, response) = try await URLSession.shared.data(from: url)
        let final = try #require(response.url)
        #expect(final.path == "/app/callback")
        return AuthorizationCallback(url: final)
    }

    @Test func aFullSignInWithClientSecretBasicAndRS256() async throws {
        try await TestOIDCProvider.run(now: { Self.now }) { provider in
            provider.register(Self.client)
            let party = Self.relyingParty(provider)
            let (url, pending) = try await party.beginSignIn()
            let callback = try await Self.authorize(url)
            #expect(callback.state == pending.state)
            let result = try await party.completeSignIn(callback: callback, pending: pending)
            #expect(result.identity.key == VerifiedIdentity.Key(issuer: provider.issuer, subject: "user-42"))
            #expect(result.identity.email == "ada@example.org")
            #expect(result.tokens.tokenType == "Bearer")
        }
    }

    @Test func aFullSignInWithClientSecretPostAndES256() async throws {
        try await TestOIDCProvider.run(now: { Self.now }) { provider in
            let client = TestOIDCProvider.Client(id: "muse-post", secret: "another secret", authentication: .clientSecretPost)
            provider.register(client)
            provider.mintIDTokens { claims, minter in try TokenMinter.token(claims, signing: .ec(minter.ecKey)) }
            let party = Self.relyingParty(provider, client: client)
            let (url, pending) = try await party.beginSignIn()
            let result = try await party.completeSignIn(callback: try await Self.authorize(url), pending: pending)
            #expect(result.identity.subject == "user-42")
            #expect(result.identity.issuer == provider.issuer)
        }
    }

    @Test func theAuthorizationURLCarriesStateNonceAndPKCE() async throws {
        try await TestOIDCProvider.run(now: { Self.now }) { provider in
            let party = Self.relyingParty(provider)
            let (url, pending) = try await party.beginSignIn(extraParameters: ["prompt": "login", "state": "planted"])
            let query = FormEncoding.decode(try #require(URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQuery))
            #expect(query["response_type"] == "code")
            #expect(query["client_id"] == "muse")
            #expect(query["redirect_uri"] == provider.redirectURI.absoluteString)
            #expect(query["scope"] == "openid email profile")
            #expect(query["state"] == pending.state)
            #expect(query["nonce"] == pending.nonce)
            #expect(query["code_challenge"] == PKCE.challenge(for: pending.codeVerifier))
            #expect(query["code_challenge_method"] == "S256")
            #expect(query["prompt"] == "login")
            #expect(PKCE.isValidVerifier(pending.codeVerifier))
            #expect(pending.expiresAt == Self.now.addingTimeInterval(PendingSignIn.defaultLifetime))
        }
    }

    @Test func aPKCEMismatchIsRefusedByTheProvider() async throws {
        try await TestOIDCProvider.run(now: { Self.now }) { provider in
            provider.register(Self.client)
            let party = Self.relyingParty(provider)
            let (url, pending) = try await party.beginSignIn()
            let callback = try await Self.authorize(url)
            var forged = pending
            forged.codeVerifier = PKCE.makeVerifier()
            await #expect(throws: IdentityError.tokenEndpointRefused(status: 400, error: "invalid_grant",
                                                                     description: "PKCE verification failed")) {
                try await party.completeSignIn(callback: callback, pending: forged)
            }
        }
    }

    @Test func aWrongClientSecretIsRefusedByTheProvider() async throws {
        try await TestOIDCProvider.run(now: { Self.now }) { provider in
            provider.register(Self.client)
            let party = Self.relyingParty(provider, secret: "guess")
            let (url, pending) = try await party.beginSignIn()
            let callback = try await Self.authorize(url)
            await #expect(throws: IdentityError.tokenEndpointRefused(status: 401, error: "invalid_client", description: nil)) {
                try await party.completeSignIn(callback: callback, pending: pending)
            }
        }
    }

    @Test func aBadIDTokenFromTheProviderIsRefused() async throws {
        try await TestOIDCProvider.run(now: { Self.now }) { provider in
            provider.register(Self.client)
            provider.mintIDTokens { claims, minter in
                var replayed = claims
                replayed["nonce"] = "an-old-nonce"
                return try TokenMinter.token(replayed, signing: .rsa(minter.rsaKey))
            }
            let party = Self.relyingParty(provider)
            let (url, pending) = try await party.beginSignIn()
            let callback = try await Self.authorize(url)
            await #expect(throws: IdentityError.nonceMismatch) {
                try await party.completeSignIn(callback: callback, pending: pending)
            }
        }
    }

    @Test func aMismatchedStateOrAnExpiredSignInIsRefused() async throws {
        try await TestOIDCProvider.run(now: { Self.now }) { provider in
            provider.register(Self.client)
            let clock = TestClock(Self.now)
            let party = Self.relyingParty(provider, clock: { clock.now })
            let (url, pending) = try await party.beginSignIn()
            let callback = try await Self.authorize(url)
            await #expect(throws: IdentityError.stateMismatch) {
                try await party.completeSignIn(callback: AuthorizationCallback(code: callback.code, state: "forged"), pending: pending)
            }
            await #expect(throws: IdentityError.authorizationDenied(error: "access_denied", description: nil)) {
                try await party.completeSignIn(callback: AuthorizationCallback(state: pending.state, error: "access_denied"), pending: pending)
            }
            clock.advance(by: PendingSignIn.defaultLifetime)
            await #expect(throws: IdentityError.signInExpired) {
                try await party.completeSignIn(callback: callback, pending: pending)
            }
        }
    }

    @Test func aDiscoveryDocumentNamingAnotherIssuerIsRefused() async throws {
        try await TestOIDCProvider.run(now: { Self.now }) { provider in
            provider.announceIssuer("https://accounts.example.com")
            await #expect(throws: IdentityError.discoveredIssuerMismatch(expected: provider.issuer,
                                                                         discovered: "https://accounts.example.com")) {
                try await OIDCProviderConfiguration.discover(issuer: provider.issuer)
            }
            // Even a trailing slash is a different issuer.
            provider.announceIssuer(provider.issuer + "/")
            await #expect(throws: IdentityError.discoveredIssuerMismatch(expected: provider.issuer, discovered: provider.issuer + "/")) {
                try await OIDCProviderConfiguration.discover(issuer: provider.issuer)
            }
        }
    }

    @Test func discoveryReadsTheProviderMetadata() async throws {
        try await TestOIDCProvider.run(now: { Self.now }) { provider in
            let configuration = try await OIDCProviderConfiguration.discover(issuer: provider.issuer)
            #expect(configuration.issuer == provider.issuer)
            #expect(configuration.tokenEndpoint.absoluteString == provider.issuer + "/token")
            #expect(configuration.jwksURI.absoluteString == provider.issuer + "/jwks")
            #expect(configuration.idTokenSigningAlgValuesSupported == ["RS256", "ES256"])
        }
    }

    @Test func anOversizedResponseIsCutOff() async throws {
        try await TestOIDCProvider.run(now: { Self.now }) { provider in
            let url = try #require(URL(string: provider.issuer + "/big"))
            await #expect(throws: IdentityError.responseTooLarge(limit: 1024, url: url.absoluteString)) {
                try await URLSessionTransport().send(OIDCHTTPRequest(url: url), sizeLimit: 1024)
            }
        }
    }

    @Test func redirectsAreNotFollowed() async throws {
        try await TestOIDCProvider.run(now: { Self.now }) { provider in
            let url = try #require(URL(string: provider.issuer + "/moved"))
            let response = try await URLSessionTransport().send(OIDCHTTPRequest(url: url), sizeLimit: 1024)
            #expect(response.status == 302)
        }
    }

    @Test func plainHTTPIsRefusedOutsideLoopback() async throws {
        await #expect(throws: IdentityError.insecureURL("http://id.example.org/.well-known/openid-configuration")) {
            try await OIDCProviderConfiguration.discover(issuer: "http://id.example.org", transport: StubTransport())
        }
    }
}
