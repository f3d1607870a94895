import Foundation

/// Why a sign-in was refused. Each check has its own case so that logs and tests can tell a
/// forged token from an expired one; `description` is a sentence fit for a log line (never for
/// the end user, who should only learn that sign-in failed).
public enum IdentityError: Error, Equatable, Sendable {
    // Transport
    /// Only https is trusted, except http on a loopback host (tests, local development).
    case insecureURL(String)
    case network(String)
    case httpStatus(Int, url: String)
    case responseTooLarge(limit: Int, url: String)

    // Discovery and keys
    case malformedDiscoveryDocument(String)
    case discoveredIssuerMismatch(expected: String, discovered: String)
    case malformedJWKS(String)

    // The authorization round trip
    case signInExpired
    case stateMismatch
    case authorizationDenied(error: String, description: String?)
    case missingAuthorizationCode
    case tokenEndpointRefused(status: Int, error: String?, description: String?)
    case malformedTokenResponse(String)
    case missingClientSecret

    // The ID token
    case malformedToken(String)
    case algorithmNotAllowed(String)
    case unknownKeyID(String?)
    case keyDoesNotMatchAlgorithm(keyID: String?, algorithm: String)
    case unusableKey(String)
    case invalidSignature
    case missingClaim(String)
    case issuerMismatch(expected: String, found: String)
    case audienceMismatch(clientID: String, found: [String])
    case authorizedPartyMismatch(clientID: String, found: String?)
    case expired(expiredAt: Date, now: Date)
    case notYetValid(validFrom: Date, now: Date)
    case issuedInTheFuture(issuedAt: Date, now: Date)
    case issuedTooLongAgo(issuedAt: Date, now: Date)
    case nonceMismatch
}

extension IdentityError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .insecureURL(let url): "refusing a non-https URL outside loopback: \(url)"
        case .network(let message): "network error: \(message)"
        case .httpStatus(let status, let url): "HTTP \(status) from \(url)"
        case .responseTooLarge(let limit, let url): "response from \(url) exceeds \(limit) bytes"
        case .malformedDiscoveryDocument(let why): "malformed discovery document: \(why)"
        case .discoveredIssuerMismatch(let expected, let discovered):
            "discovery document names issuer \(discovered), configured issuer is \(expected)"
        case .malformedJWKS(let why): "malformed JWKS: \(why)"
        case .signInExpired: "the pending sign-in has expired"
        case .stateMismatch: "the callback's state does not match the pending sign-in (possible CSRF)"
        case .authorizationDenied(let error, let description):
            "the provider refused authorization: \(error)\(description.map { " (\($0))" } ?? "")"
        case .missingAuthorizationCode: "the callback carries no authorization code"
        case .tokenEndpointRefused(let status, let error, let description):
            "token endpoint answered HTTP \(status)\(error.map { ": \($0)" } ?? "")\(description.map { " (\($0))" } ?? "")"
        case .malformedTokenResponse(let why): "malformed token response: \(why)"
        case .missingClientSecret: "the configured client authentication needs a client secret"
        case .malformedToken(let why): "malformed ID token: \(why)"
        case .algorithmNotAllowed(let alg): "ID token algorithm \"\(alg)\" is not allowed"
        case .unknownKeyID(let kid): "no JWKS key with kid \(kid ?? "(none)"), even after refetching the JWKS"
        case .keyDoesNotMatchAlgorithm(let kid, let alg): "JWKS key \(kid ?? "(no kid)") cannot verify \(alg)"
        case .unusableKey(let why): "unusable JWKS key: \(why)"
        case .invalidSignature: "ID token signature does not verify"
        case .missingClaim(let claim): "ID token lacks the \(claim) claim"
        case .issuerMismatch(let expected, let found): "ID token issuer \(found) is not \(expected)"
        case .audienceMismatch(let clientID, let found): "ID token audience \(found) does not include \(clientID)"
        case .authorizedPartyMismatch(let clientID, let found):
            "ID token azp \(found ?? "(missing)") is not \(clientID) though there are several audiences"
        case .expired(let expiredAt, let now): "ID token expired at \(expiredAt) (now \(now))"
        case .notYetValid(let validFrom, let now): "ID token not valid before \(validFrom) (now \(now))"
        case .issuedInTheFuture(let issuedAt, let now): "ID token issued in the future at \(issuedAt) (now \(now))"
        case .issuedTooLongAgo(let issuedAt, let now): "ID token issued too long ago at \(issuedAt) (now \(now))"
        case .nonceMismatch: "ID token nonce does not match the pending sign-in"
        }
    }
}
