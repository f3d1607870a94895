import Foundation

/// Who signed in, as a verified ID token says. Accounts are keyed by `key` (issuer, subject):
/// e-mail addresses are reassigned and differ between providers, so they never identify anyone.
public struct VerifiedIdentity: Sendable, Hashable, Codable {
    public struct Key: Sendable, Hashable, Codable {
        public var issuer: String
        public var subject: String
        public init(issuer: String, subject: String) { (self.issuer, self.subject) = (issuer, subject) }
    }

    public var key: Key
    public var email: String?
    /// Whether the provider says it verified `email`; an unverified address is only a hint.
    public var emailVerified: Bool?
    public var name: String?
    public var picture: URL?
    public var issuedAt: Date
    public var expiresAt: Date

    public var issuer: String { key.issuer }
    public var subject: String { key.subject }
}

/// OpenID Connect Core §3.1.3.7 ID-token validation against one provider's keys.
public struct IDTokenValidator: Sendable {
    /// Tolerated disagreement between our clock and the provider's, for `exp`, `nbf` and `iat`.
    public static let clockSkewTolerance: TimeInterval = 60
    /// A token issued longer ago than this is refused even if unexpired: an ID token is used
    /// right after the code exchange, so an old one is a replay.
    public static let maximumTokenAge: TimeInterval = 10 * 60
    /// OIDC Core §2: `sub` is at most 255 ASCII characters.
    static let maximumSubjectLength = 255

    public var issuer: String
    public var clientID: String
    public var allowedAlgorithms: Set<JWSAlgorithm>
    /// Audiences besides `clientID` that a token may also name; any other audience is refused.
    public var additionalTrustedAudiences: Set<String>
    public let keys: JWKSCache
    private let now: @Sendable () -> Date

    public init(issuer: String, clientID: String, keys: JWKSCache,
                allowedAlgorithms: Set<JWSAlgorithm> = JWSAlgorithm.defaultAllowed,
                additionalTrustedAudiences: Set<String> = [], now: @escaping @Sendable () -> Date = Date.init) {
        (self.issuer, self.clientID, self.keys) = (issuer, clientID, keys)
        (self.allowedAlgorithms, self.additionalTrustedAudiences, self.now) = (allowedAlgorithms, additionalTrustedAudiences, now)
    }

    /// Verifies `token` and returns whom it identifies. `nonce` is the one sent in the
    /// authorization request; pass nil only for flows that sent none.
    public func validate(_ token: String, nonce: String?) async throws(IdentityError) -> VerifiedIdentity {
        let jws = try CompactJWS(token)
        try await verifySignature(of: jws)
        return try checkClaims(jws.claims, nonce: nonce, at: now())
    }

    private func verifySignature(of jws: CompactJWS) async throws(IdentityError) {
        let name = jws.algorithm ?? ""
        guard let algorithm = JWSAlgorithm(rawValue: name), allowedAlgorithms.contains(algorithm) else {
            throw .algorithmNotAllowed(name)
        }
        let candidates = try await keys.candidates(keyID: jws.keyID)
        guard !candidates.isEmpty else { throw .unknownKeyID(jws.keyID) }
        let usable = candidates.filter { $0.canVerify(algorithm) }
        guard !usable.isEmpty else { throw .keyDoesNotMatchAlgorithm(keyID: jws.keyID, algorithm: name) }
        for key in usable {
            if try key.isValidSignature(jws.signature, for: jws.signingInput, algorithm: algorithm) { return }
        }
        throw .invalidSignature
    }

    func checkClaims(_ claims: [String: JSONValue], nonce: String?, at now: Date) throws(IdentityError) -> VerifiedIdentity {
        guard let tokenIssuer = claims["iss"]?.stringValue else { throw .missingClaim("iss") }
        guard tokenIssuer == issuer else { throw .issuerMismatch(expected: issuer, found: tokenIssuer) }
        guard let subject = claims["sub"]?.stringValue, !subject.isEmpty,
              subject.utf8.count <= Self.maximumSubjectLength else { throw .missingClaim("sub") }

        let audiences: [String]
        switch claims["aud"] {
        case .string(let single)?: audiences = [single]
        case .array(let many)?:
            audiences = many.compactMap(\.stringValue)
            guard audiences.count == many.count else { throw .malformedToken("aud holds a non-string") }
        default: throw .missingClaim("aud")
        }
        let trusted = additionalTrustedAudiences.union([clientID])
        guard audiences.contains(clientID), audiences.allSatisfy(trusted.contains) else {
            throw .audienceMismatch(clientID: clientID, found: audiences)
        }
        let authorizedParty = claims["azp"]?.stringValue
        if audiences.count > 1 || authorizedParty != nil, authorizedParty != clientID {
            throw .authorizedPartyMismatch(clientID: clientID, found: authorizedParty)
        }

        let skew = Self.clockSkewTolerance
        let expiresAt = try date(claims, "exp", required: true)
        if let expiresAt, now > expiresAt.addingTimeInterval(skew) { throw .expired(expiredAt: expiresAt, now: now) }
        if let notBefore = try date(claims, "nbf", required: false), now.addingTimeInterval(skew) < notBefore {
            throw .notYetValid(validFrom: notBefore, now: now)
        }
        let issuedAt = try date(claims, "iat", required: true)
        if let issuedAt {
            if issuedAt > now.addingTimeInterval(skew) { throw .issuedInTheFuture(issuedAt: issuedAt, now: now) }
            if now.timeIntervalSince(issuedAt) > Self.maximumTokenAge + skew { throw .issuedTooLongAgo(issuedAt: issuedAt, now: now) }
        }

        if let nonce {
            guard let tokenNonce = claims["nonce"]?.stringValue else { throw .missingClaim("nonce") }
            guard constantTimeEquals(tokenNonce, nonce) else { throw .nonceMismatch }
        }

        return VerifiedIdentity(
            key: .init(issuer: tokenIssuer, subject: subject),
            email: claims["email"]?.stringValue,
            emailVerified: claims["email_verified"]?.boolValue,
            name: claims["name"]?.stringValue,
            picture: claims["picture"]?.stringValue.flatMap { URL(string: $0) },
            issuedAt: issuedAt ?? now, expiresAt: expiresAt ?? now)
    }

    /// A NumericDate claim (seconds since 1970, possibly fractional).
    private func date(_ claims: [String: JSONValue], _ name: String, required: Bool) throws(IdentityError) -> Date? {
        guard let value = claims[name] else {
            if required { throw .missingClaim(name) }
            return nil
        }
        guard let seconds = value.numberValue, seconds.isFinite else { throw .malformedToken("\(name) is not a number") }
        return Date(timeIntervalSince1970: seconds)
    }
}

/// Compares secrets without stopping at the first difference, so timing does not reveal how
/// much of a guess was right.
func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
    let (a, b) = (Array(lhs.utf8), Array(rhs.utf8))
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices { difference |= a[index] ^ b[index] }
    return difference == 0
}
