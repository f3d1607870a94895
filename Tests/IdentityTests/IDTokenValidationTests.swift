import Crypto
import Foundation
import Identity
import Testing
import _CryptoExtras

/// ID-token validation against an in-memory JWKS: accepted tokens, and each attack refused with
/// its own error.
@Suite struct IDTokenValidationTests {
    static let issuer = "https://id.example.org"
    static let clientID = "muse-client"
    static let jwksURL = URL(string: "https://id.example.org/jwks")!
    static let nonce = "n-0S6_WzA2Mj"
    /// A fixed instant, so every run checks the same times.
    static let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    let minter: TokenMinter
    let transport = StubTransport()

    init() throws {
        minter = try TokenMinter()
        try transport.serve(Self.jwksURL, json: try minter.keySet())
    }

    func validator(at now: Date = Self.now, allowed: Set<JWSAlgorithm> = JWSAlgorithm.defaultAllowed,
                   trusted: Set<String> = [], cache: JWKSCache? = nil) -> IDTokenValidator {
        IDTokenValidator(issuer: Self.issuer, clientID: Self.clientID,
                         keys: cache ?? JWKSCache(url: Self.jwksURL, transport: transport, now: { now }),
                         allowedAlgorithms: allowed, additionalTrustedAudiences: trusted, now: { now })
    }

    func claims(issuer: String = Self.issuer, audience: String = Self.clientID, nonce: String? = Self.nonce,
                issuedAt: Date = Self.now) -> [String: JSONValue] {
        TokenMinter.claims(issuer: issuer, audience: audience, nonce: nonce, now: issuedAt)
    }

    func expectRefusal(_ token: String, _ expected: IdentityError, validator: IDTokenValidator? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) async {
        await #expect(throws: expected, sourceLocation: sourceLocation) {
            try await (validator ?? self.validator()).validate(token, nonce: Self.nonce)
        }
    }

    @Test func anRS256TokenIsAccepted() async throws {
        let token = try TokenMinter.token(claims(), signing: .rsa(minter.rsaKey))
        let identity = try await validator().validate(token, nonce: Self.nonce)
        #expect(identity.key == VerifiedIdentity.Key(issuer: Self.issuer, subject: "user-42"))
        #expect(identity.email == "ada@example.org")
        #expect(identity.emailVerified == true)
        #expect(identity.name == "Ada Lovelace")
        #expect(identity.picture == URL(string: "https://example.org/ada.png"))
        #expect(identity.expiresAt == Self.now.addingTimeInterval(300))
    }

    @Test func anES256TokenIsAccepted() async throws {
        let token = try TokenMinter.token(claims(), signing: .ec(minter.ecKey))
        let identity = try await validator().validate(token, nonce: Self.nonce)
        #expect(identity.subject == "user-42")
    }

    @Test func aForgedSignatureIsRefused() async throws {
        await expectRefusal(try TokenMinter.token(claims(), signing: .flippedRSA(minter.rsaKey)), .invalidSignature)
    }

    @Test func aTamperedPayloadIsRefused() async throws {
        let token = try TokenMinter.token(claims(), signing: .rsa(minter.rsaKey))
        let parts = token.split(separator: ".").map(String.init)
        var altered = claims()
        altered["sub"] = "someone-else"
        let payload = Base64URL.encode(try JSONEncoder().encode(altered))
        await expectRefusal([parts[0], payload, parts[2]].joined(separator: "."), .invalidSignature)
    }

    @Test func aTokenSignedByAnotherKeyIsRefused() async throws {
        let stranger = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        await expectRefusal(try TokenMinter.token(claims(), signing: .rsa(stranger)), .invalidSignature)
        let otherEC = P256.Signing.PrivateKey()
        await expectRefusal(try TokenMinter.token(claims(), signing: .ec(otherEC.rawRepresentation)), .invalidSignature)
    }

    @Test func algNoneIsRefused() async throws {
        await expectRefusal(try TokenMinter.token(claims(), signing: .unsigned), .algorithmNotAllowed("none"))
        await expectRefusal(try TokenMinter.token(claims(), signing: .unsigned, alg: "NONE"), .algorithmNotAllowed("NONE"))
    }

    /// The classic key confusion: HMAC keyed with the provider's public key, which anyone has.
    @Test func hs256SignedWithThePublicKeyIsRefused() async throws {
        let publicKey = minter.rsaKey.publicKey
        let modulus = try publicKey.getKeyPrimitives().modulus
        for secret in [publicKey.derRepresentation, Data(publicKey.pemRepresentation.utf8), modulus] {
            await expectRefusal(try TokenMinter.token(claims(), signing: .hmac(secret)), .algorithmNotAllowed("HS256"))
        }
    }

    @Test func anAlgorithmOutsideTheAllowListIsRefused() async throws {
        let token = try TokenMinter.token(claims(), signing: .rsa(minter.rsaKey))
        await expectRefusal(token, .algorithmNotAllowed("RS256"), validator: validator(allowed: [.es256]))
    }

    @Test func aKeyOfTheWrongTypeIsRefused() async throws {
        // An ES256 header pointing at the RSA key: the key may not verify that algorithm.
        let token = try TokenMinter.token(claims(), signing: .ec(minter.ecKey), kid: .some(TokenMinter.rsaKeyID))
        await expectRefusal(token, .keyDoesNotMatchAlgorithm(keyID: TokenMinter.rsaKeyID, algorithm: "ES256"))
    }

    @Test func anExpiredTokenIsRefused() async throws {
        let issued = Self.now.addingTimeInterval(-400)
        let token = try TokenMinter.token(claims(issuedAt: issued), signing: .rsa(minter.rsaKey))
        await expectRefusal(token, .expired(expiredAt: issued.addingTimeInterval(300), now: Self.now))
        // Within the clock-skew tolerance of its expiry it still passes.
        let justExpired = issued.addingTimeInterval(300 + IDTokenValidator.clockSkewTolerance - 1)
        _ = try await validator(at: justExpired).validate(token, nonce: Self.nonce)
    }

    @Test func aNotYetValidTokenIsRefused() async throws {
        var notBefore = claims()
        let validFrom = Self.now.addingTimeInterval(IDTokenValidator.clockSkewTolerance + 30)
        notBefore["nbf"] = .number(validFrom.timeIntervalSince1970)
        await expectRefusal(try TokenMinter.token(notBefore, signing: .rsa(minter.rsaKey)),
                            .notYetValid(validFrom: validFrom, now: Self.now))
    }

    @Test func aTokenIssuedInTheFutureOrLongAgoIsRefused() async throws {
        let future = Self.now.addingTimeInterval(IDTokenValidator.clockSkewTolerance + 30)
        await expectRefusal(try TokenMinter.token(claims(issuedAt: future), signing: .rsa(minter.rsaKey)),
                            .issuedInTheFuture(issuedAt: future, now: Self.now))
        let old = Self.now.addingTimeInterval(-(IDTokenValidator.maximumTokenAge + IDTokenValidator.clockSkewTolerance + 1))
        let longLived = TokenMinter.claims(issuer: Self.issuer, audience: Self.clientID, nonce: Self.nonce, now: old, lifetime: 86_400)
        await expectRefusal(try TokenMinter.token(longLived, signing: .rsa(minter.rsaKey)),
                            .issuedTooLongAgo(issuedAt: old, now: Self.now))
    }

    @Test func aWrongIssuerIsRefused() async throws {
        let token = try TokenMinter.token(claims(issuer: "https://id.example.org/"), signing: .rsa(minter.rsaKey))
        await expectRefusal(token, .issuerMismatch(expected: Self.issuer, found: "https://id.example.org/"))
    }

    @Test func aWrongAudienceIsRefused() async throws {
        let token = try TokenMinter.token(claims(audience: "someone-else"), signing: .rsa(minter.rsaKey))
        await expectRefusal(token, .audienceMismatch(clientID: Self.clientID, found: ["someone-else"]))
        var extra = claims()
        extra["aud"] = [.string(Self.clientID), "untrusted"]
        extra["azp"] = .string(Self.clientID)
        await expectRefusal(try TokenMinter.token(extra, signing: .rsa(minter.rsaKey)),
                            .audienceMismatch(clientID: Self.clientID, found: [Self.clientID, "untrusted"]))
    }

    @Test func severalAudiencesNeedTheAuthorizedParty() async throws {
        var several = claims()
        several["aud"] = [.string(Self.clientID), "partner"]
        let trusting = validator(trusted: ["partner"])
        await expectRefusal(try TokenMinter.token(several, signing: .rsa(minter.rsaKey)),
                            .authorizedPartyMismatch(clientID: Self.clientID, found: nil), validator: trusting)
        several["azp"] = .string(Self.clientID)
        _ = try await trusting.validate(try TokenMinter.token(several, signing: .rsa(minter.rsaKey)), nonce: Self.nonce)
    }

    @Test func aWrongOrMissingNonceIsRefused() async throws {
        await expectRefusal(try TokenMinter.token(claims(nonce: "replayed"), signing: .rsa(minter.rsaKey)), .nonceMismatch)
        await expectRefusal(try TokenMinter.token(claims(nonce: nil), signing: .rsa(minter.rsaKey)), .missingClaim("nonce"))
    }

    @Test func aMissingSubjectIsRefused() async throws {
        var anonymous = claims()
        anonymous["sub"] = nil
        await expectRefusal(try TokenMinter.token(anonymous, signing: .rsa(minter.rsaKey)), .missingClaim("sub"))
    }

    @Test func malformedTokensAreRefused() async throws {
        let good = try TokenMinter.token(claims(), signing: .rsa(minter.rsaKey))
        let parts = good.split(separator: ".").map(String.init)
        let notJSON = Base64URL.encode(Data("not json".utf8))
        let cases: [(String, IdentityError)] = [
            ("", .malformedToken("1 dot-separated parts instead of 3")),
            (parts[0] + "." + parts[1], .malformedToken("2 dot-separated parts instead of 3")),
            (good + ".extra", .malformedToken("4 dot-separated parts instead of 3")),
            ("!!!." + parts[1] + "." + parts[2], .malformedToken("header is not base64url")),
            (parts[0] + ".a+b/." + parts[2], .malformedToken("payload is not base64url")),
            (parts[0] + "." + parts[1] + ".abc=", .malformedToken("signature is not base64url")),
            (notJSON + "." + parts[1] + "." + parts[2], .malformedToken("header is not a JSON object")),
            (parts[0] + "." + notJSON + "." + parts[2], .malformedToken("payload is not a JSON object")),
            (parts[0] + "." + Base64URL.encode(Data("[1,2]".utf8)) + "." + parts[2], .malformedToken("payload is not a JSON object")),
            (String(repeating: "a", count: 20_000), .malformedToken("longer than 16384 bytes")),
        ]
        for (token, expected) in cases { await expectRefusal(token, expected) }
    }

    @Test func theJWKSIsFetchedOnceAndCached() async throws {
        let shared = validator()
        for _ in 0..<3 {
            _ = try await shared.validate(try TokenMinter.token(claims(), signing: .rsa(minter.rsaKey)), nonce: Self.nonce)
        }
        #expect(transport.requests(to: Self.jwksURL) == 1)
    }

    /// A validator whose JWKS was fetched for one sign-in longer ago than the refetch cooldown.
    func validatorPastTheRefetchCooldown() async throws -> IDTokenValidator {
        let clock = TestClock(Self.now)
        let checker = validator(cache: JWKSCache(url: Self.jwksURL, transport: transport, now: { clock.now }))
        _ = try await checker.validate(try TokenMinter.token(claims(), signing: .rsa(minter.rsaKey)), nonce: Self.nonce)
        #expect(transport.requests(to: Self.jwksURL) == 1)
        clock.advance(by: JWKSCache.defaultRefetchCooldown + 1)
        return checker
    }

    @Test func anUnknownKeyIDIsRefusedAfterOneRefetch() async throws {
        let checker = try await validatorPastTheRefetchCooldown()
        let unknown = try TokenMinter.token(claims(), signing: .rsa(minter.rsaKey), kid: .some("rotated-away"))
        await expectRefusal(unknown, .unknownKeyID("rotated-away"), validator: checker)
        #expect(transport.requests(to: Self.jwksURL) == 2)
        // Within the cooldown a second unknown kid does not reach the provider again.
        await expectRefusal(unknown, .unknownKeyID("rotated-away"), validator: checker)
        #expect(transport.requests(to: Self.jwksURL) == 2)
    }

    @Test func aRotatedKeyIsPickedUpByRefetching() async throws {
        let checker = try await validatorPastTheRefetchCooldown()
        let next = P256.Signing.PrivateKey()
        try transport.serve(Self.jwksURL, json: JSONWebKeySet(keys: [TokenMinter.jwk(ec: next.publicKey, kid: "ec-2")]))
        let token = try TokenMinter.token(claims(), signing: .ec(next.rawRepresentation), kid: .some("ec-2"))
        _ = try await checker.validate(token, nonce: Self.nonce)
        #expect(transport.requests(to: Self.jwksURL) == 2)
    }

    @Test func anRSAKeyUnder2048BitsIsRefused() async throws {
        let weak = try _RSA.Signing.PrivateKey(unsafeKeySize: .init(bitCount: 1024))
        let url = URL(string: "https://id.example.org/weak-jwks")!
        try transport.serve(url, json: JSONWebKeySet(keys: [try TokenMinter.jwk(rsa: weak.publicKey, kid: "weak")]))
        let checker = validator(cache: JWKSCache(url: url, transport: transport, now: { Self.now }))
        let token = try TokenMinter.token(claims(), signing: .rsa(weak), kid: .some("weak"))
        await expectRefusal(token, .unusableKey("RSA key weak has 1024 bits, under 2048"), validator: checker)
    }
}

/// A clock the test moves by hand.
final class TestClock: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date) { current = start }

    var now: Date { lock.withLock { current } }

    func advance(by seconds: TimeInterval) { lock.withLock { current += seconds } }
}
