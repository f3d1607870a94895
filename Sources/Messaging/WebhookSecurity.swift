import Crypto
import Foundation

/// The two checks Meta's webhook contract asks for (PRODUCT-NOTES.md 3.1): the GET handshake
/// with the verify token typed in the App Dashboard, and `X-Hub-Signature-256` on every POST.
public struct WebhookSecurity: Sendable {
    private let appSecret: Data
    private let verifyToken: String

    public init(appSecret: String, verifyToken: String) throws(MessagingError) {
        guard !appSecret.isEmpty else { throw .invalidConfiguration("the app secret is empty") }
        guard !verifyToken.isEmpty else { throw .invalidConfiguration("the verify token is empty") }
        self.appSecret = Data(appSecret.utf8)
        self.verifyToken = verifyToken
    }

    /// The handshake: `hub.mode=subscribe` and the right `hub.verify_token` are answered with
    /// `hub.challenge` as it came; anything else is refused.
    public func challengeResponse(mode: String?, verifyToken token: String?, challenge: String?) throws(MessagingError) -> String {
        guard mode == "subscribe", let token, let challenge, !challenge.isEmpty,
              Self.constantTimeEqual(Array(token.utf8), Array(verifyToken.utf8)) else { throw .verificationRefused }
        return challenge
    }

    /// Checks `header` (`sha256=<hex>`) against the HMAC-SHA256 of the raw `body` bytes.
    public func verify(signatureHeader header: String?, body: Data) throws(MessagingError) {
        let prefix = "sha256="
        guard let header, header.hasPrefix(prefix), let claimed = Self.bytes(hex: header.dropFirst(prefix.count)) else {
            throw .badSignature
        }
        let expected = Array(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: appSecret)))
        guard Self.constantTimeEqual(claimed, expected) else { throw .badSignature }
    }

    /// The header value Meta would send for `body`: for tests and tools that replay payloads.
    public func signatureHeader(for body: Data) -> String {
        "sha256=" + HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: appSecret)).map { String(format: "%02x", $0) }.joined()
    }

    /// Compares every byte whatever the first difference, so the time taken tells an attacker
    /// nothing about how much of a forged signature was right. Lengths are public (a SHA-256
    /// digest is always 32 bytes), so a length mismatch may return at once.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    static func bytes(hex: Substring) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.count / 2)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
