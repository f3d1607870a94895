import Foundation

/// The signature algorithms this module can verify. `none` and the HMAC family are deliberately
/// not representable: a relying party verifying with a provider's *public* key must never treat
/// that key as an HMAC secret, so no configuration can allow them.
public enum JWSAlgorithm: String, Sendable, Hashable, CaseIterable, Codable {
    case rs256 = "RS256"
    case es256 = "ES256"
    case edDSA = "EdDSA"

    /// What a relying party accepts unless told otherwise (what the major providers sign with).
    public static let defaultAllowed: Set<JWSAlgorithm> = [.rs256, .es256]
}

/// A JWS in compact serialization (RFC 7515 §7.1), parsed but not yet verified.
struct CompactJWS: Sendable {
    /// Real ID tokens are a few KiB; the cap keeps a hostile token from costing much to parse.
    static let maximumLength = 16_384

    let header: [String: JSONValue]
    let claims: [String: JSONValue]
    /// ASCII(BASE64URL(header) || '.' || BASE64URL(payload)), the bytes the signature covers.
    let signingInput: Data
    let signature: Data

    var algorithm: String? { header["alg"]?.stringValue }
    var keyID: String? { header["kid"]?.stringValue }

    init(_ token: String) throws(IdentityError) {
        guard token.utf8.count <= Self.maximumLength else {
            throw .malformedToken("longer than \(Self.maximumLength) bytes")
        }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw .malformedToken("\(parts.count) dot-separated parts instead of 3")
        }
        guard let headerBytes = Base64URL.decode(parts[0]) else { throw .malformedToken("header is not base64url") }
        guard let payloadBytes = Base64URL.decode(parts[1]) else { throw .malformedToken("payload is not base64url") }
        // An empty signature is well-formed here so that `alg: none` is refused as an algorithm.
        guard let signature = Base64URL.decode(parts[2]) else { throw .malformedToken("signature is not base64url") }
        guard let header = JSONValue.object(from: headerBytes) else { throw .malformedToken("header is not a JSON object") }
        guard let claims = JSONValue.object(from: payloadBytes) else { throw .malformedToken("payload is not a JSON object") }
        guard header["alg"]?.stringValue != nil else { throw .malformedToken("header has no alg") }
        // RFC 7515 §4.1.11: extensions marked critical that we do not understand mean refusal.
        guard header["crit"] == nil else { throw .malformedToken("unsupported crit header") }
        self.header = header
        self.claims = claims
        self.signingInput = Data("\(parts[0]).\(parts[1])".utf8)
        self.signature = signature
    }
}
