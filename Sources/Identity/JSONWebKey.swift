import Crypto
import _CryptoExtras
import Foundation

/// One public key from a provider's JWKS (RFC 7517). Members this module does not use are ignored,
/// so a key of an unknown type does not spoil the rest of the set.
public struct JSONWebKey: Sendable, Equatable, Codable {
    public var kty: String
    public var kid: String?
    public var use: String?
    public var alg: String?
    // RSA
    public var n: String?
    public var e: String?
    // EC and OKP
    public var crv: String?
    public var x: String?
    public var y: String?

    public init(kty: String, kid: String? = nil, use: String? = nil, alg: String? = nil,
                n: String? = nil, e: String? = nil, crv: String? = nil, x: String? = nil, y: String? = nil) {
        (self.kty, self.kid, self.use, self.alg) = (kty, kid, use, alg)
        (self.n, self.e, self.crv, self.x, self.y) = (n, e, crv, x, y)
    }

    /// RSA keys under this size are refused, as NIST and the major providers do.
    static let minimumRSABits = 2048

    /// Whether this key may verify `algorithm` at all: its type and curve fit, and its own
    /// `alg`/`use` (when present) do not restrict it to something else.
    func canVerify(_ algorithm: JWSAlgorithm) -> Bool {
        if let alg, alg != algorithm.rawValue { return false }
        if let use, use != "sig" { return false }
        switch algorithm {
        case .rs256: return kty == "RSA"
        case .es256: return kty == "EC" && crv == "P-256"
        case .edDSA: return kty == "OKP" && crv == "Ed25519"
        }
    }

    /// Verifies a JWS signature; false for a signature that does not verify, a throw for a key
    /// that cannot be used.
    func isValidSignature(_ signature: Data, for signingInput: Data, algorithm: JWSAlgorithm) throws(IdentityError) -> Bool {
        guard canVerify(algorithm) else {
            throw .keyDoesNotMatchAlgorithm(keyID: kid, algorithm: algorithm.rawValue)
        }
        switch algorithm {
        case .rs256:
            let key = try rsaKey()
            return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature),
                                        for: signingInput, padding: .insecurePKCS1v1_5)
        case .es256:
            let key = try p256Key()
            // JWS carries ECDSA signatures as the fixed-width r || s, not DER.
            guard signature.count == 64,
                  let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(ecdsa, for: signingInput)
        case .edDSA:
            guard let x = x.flatMap(Base64URL.decode), x.count == 32,
                  let key = try? Curve25519.Signing.PublicKey(rawRepresentation: x) else {
                throw .unusableKey("Ed25519 key \(kid ?? "") has no valid x")
            }
            return key.isValidSignature(signature, for: signingInput)
        }
    }

    private func rsaKey() throws(IdentityError) -> _RSA.Signing.PublicKey {
        guard let modulus = n.flatMap(Base64URL.decode), let exponent = e.flatMap(Base64URL.decode),
              !modulus.isEmpty, !exponent.isEmpty else {
            throw .unusableKey("RSA key \(kid ?? "") lacks a valid n or e")
        }
        guard let key = try? _RSA.Signing.PublicKey(n: modulus, e: exponent) else {
            throw .unusableKey("RSA key \(kid ?? "") is not a valid public key")
        }
        // init(n:e:) accepts any size; the size floor is ours to enforce.
        guard key.keySizeInBits >= Self.minimumRSABits else {
            throw .unusableKey("RSA key \(kid ?? "") has \(key.keySizeInBits) bits, under \(Self.minimumRSABits)")
        }
        return key
    }

    private func p256Key() throws(IdentityError) -> P256.Signing.PublicKey {
        guard let x = x.flatMap(Base64URL.decode), let y = y.flatMap(Base64URL.decode),
              x.count == 32, y.count == 32,
              let key = try? P256.Signing.PublicKey(rawRepresentation: x + y) else {
            throw .unusableKey("P-256 key \(kid ?? "") lacks a valid point x, y")
        }
        return key
    }
}

/// A provider's published key set.
public struct JSONWebKeySet: Sendable, Equatable, Codable {
    public var keys: [JSONWebKey]

    public init(keys: [JSONWebKey]) { self.keys = keys }

    /// Keys that could have signed a token with this header. A token without `kid` matches any
    /// key, which only ever verifies when the provider publishes keys without ids.
    func candidates(keyID: String?) -> [JSONWebKey] {
        guard let keyID else { return keys }
        return keys.filter { $0.kid == keyID }
    }
}
