import Crypto
import Foundation
import Identity
import _CryptoExtras

/// Signing keys and a JWS minter, good tokens and deliberately bad ones alike. The relying party
/// never signs anything; this exists for the tests and the test provider only.
struct TokenMinter: Sendable {
    /// How a minted token is signed (or not), including the attacks the validator must refuse.
    enum Signing: Sendable {
        case rsa(_RSA.Signing.PrivateKey)
        /// ES256 with the P-256 private key of this raw representation (swift-crypto's key type
        /// is not Sendable on Linux, its bytes are).
        case ec(Data)
        /// HS256 with the given bytes as the HMAC secret (the key-confusion attack).
        case hmac(Data)
        /// `alg: none` with an empty signature.
        case unsigned
        /// A valid RS256 signature with one bit flipped.
        case flippedRSA(_RSA.Signing.PrivateKey)
    }

    let rsaKey: _RSA.Signing.PrivateKey
    let ecKey: Data
    static let rsaKeyID = "rsa-1"
    static let ecKeyID = "ec-1"

    init() throws {
        rsaKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        ecKey = P256.Signing.PrivateKey().rawRepresentation
    }

    static func jwk(rsa key: _RSA.Signing.PublicKey, kid: String?) throws -> JSONWebKey {
        let primitives = try key.getKeyPrimitives()
        return JSONWebKey(kty: "RSA", kid: kid, use: "sig", alg: "RS256",
                          n: Base64URL.encode(primitives.modulus), e: Base64URL.encode(primitives.publicExponent))
    }

    static func jwk(ec key: P256.Signing.PublicKey, kid: String?) -> JSONWebKey {
        let raw = key.rawRepresentation  // x || y, 32 bytes each
        return JSONWebKey(kty: "EC", kid: kid, use: "sig", alg: "ES256", crv: "P-256",
                          x: Base64URL.encode(raw.prefix(32)), y: Base64URL.encode(raw.suffix(32)))
    }

    /// The public half of both keys, as the provider publishes it.
    func keySet() throws -> JSONWebKeySet {
        JSONWebKeySet(keys: [try Self.jwk(rsa: rsaKey.publicKey, kid: Self.rsaKeyID),
                             Self.jwk(ec: try P256.Signing.PrivateKey(rawRepresentation: ecKey).publicKey, kid: Self.ecKeyID)])
    }

    /// Standard claims for `issuer`/`audience` issued at `now`, valid five minutes.
    static func claims(issuer: String, audience: String, subject: String = "user-42", nonce: String?,
                       now: Date, lifetime: TimeInterval = 300) -> [String: JSONValue] {
        var claims: [String: JSONValue] = [
            "iss": .string(issuer), "sub": .string(subject), "aud": .string(audience),
            "iat": .number(now.timeIntervalSince1970), "exp": .number(now.timeIntervalSince1970 + lifetime),
            "email": "ada@example.org", "email_verified": true, "name": "Ada Lovelace",
            "picture": "https://example.org/ada.png",
        ]
        if let nonce { claims["nonce"] = .string(nonce) }
        return claims
    }

    /// A compact JWS over `claims`. `alg` and `kid` default to what `signing` implies.
    static func token(_ claims: [String: JSONValue], signing: Signing, alg: String? = nil, kid: String?? = nil) throws -> String {
        let defaultAlg: String
        let defaultKid: String?
        switch signing {
        case .rsa, .flippedRSA: (defaultAlg, defaultKid) = ("RS256", rsaKeyID)
        case .ec: (defaultAlg, defaultKid) = ("ES256", ecKeyID)
        case .hmac: (defaultAlg, defaultKid) = ("HS256", rsaKeyID)
        case .unsigned: (defaultAlg, defaultKid) = ("none", rsaKeyID)
        }
        var header: [String: JSONValue] = ["alg": .string(alg ?? defaultAlg), "typ": "JWT"]
        if let kidValue = kid ?? defaultKid { header["kid"] = .string(kidValue) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let signingInput = Base64URL.encode(try encoder.encode(header)) + "." + Base64URL.encode(try encoder.encode(claims))
        let data = Data(signingInput.utf8)
        let signature: Data
        switch signing {
        case .rsa(let key): signature = try key.signature(for: data, padding: .insecurePKCS1v1_5).rawRepresentation
        case .ec(let raw): signature = try P256.Signing.PrivateKey(rawRepresentation: raw).signature(for: data).rawRepresentation
        case .hmac(let secret):
            signature = Data(HMAC<SHA256>.authenticationCode(for: data, using: SymmetricKey(data: secret)))
        case .unsigned: signature = Data()
        case .flippedRSA(let key):
            var bytes = try key.signature(for: data, padding: .insecurePKCS1v1_5).rawRepresentation
            bytes[bytes.startIndex + 10] ^= 0x01
            signature = bytes
        }
        return signingInput + "." + Base64URL.encode(signature)
    }
}

/// An in-memory HTTP transport: fixed answers per URL, and a count of requests.
final class StubTransport: HTTPTransport, @unchecked Sendable {
    // Guarded by `lock`: the validator calls from whatever task it runs on.
    private let lock = NSLock()
    private var answers: [URL: OIDCHTTPResponse] = [:]
    private var counts: [URL: Int] = [:]

    func serve(_ url: URL, json body: some Encodable) throws {
        let data = try JSONEncoder().encode(body)
        lock.withLock { answers[url] = OIDCHTTPResponse(status: 200, body: data) }
    }

    func requests(to url: URL) -> Int { lock.withLock { counts[url] ?? 0 } }

    func send(_ request: OIDCHTTPRequest, sizeLimit: Int) async throws(IdentityError) -> OIDCHTTPResponse {
        let answer = lock.withLock {
            counts[request.url, default: 0] += 1
            return answers[request.url]
        }
        guard let answer else { return OIDCHTTPResponse(status: 404, body: Data()) }
        guard answer.body.count <= sizeLimit else {
            throw .responseTooLarge(limit: sizeLimit, url: request.url.absoluteString)
        }
        return answer
    }
}
