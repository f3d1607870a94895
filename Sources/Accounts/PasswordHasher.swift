import Crypto
import _CryptoExtras
import Foundation

/// Local-account passwords, hashed with scrypt (RFC 7914) and a per-user random salt. The
/// parameters travel inside the stored text (`scrypt$N$r$p$salt$key`), so they can be raised
/// later without breaking existing accounts.
public struct PasswordHasher: Sendable {
    /// N = 2^15, r = 8, p = 1: 128·N·r = 32 MiB and about 0.1 s per hash on one core; above
    /// RFC 7914 §2's interactive-login example (N = 2^14) and within OWASP's scrypt guidance.
    public static let defaultCost = 1 << 15
    public static let defaultBlockSize = 8
    public static let defaultParallelism = 1
    /// 16 random bytes of salt, 32 bytes of derived key (NIST SP 800-132: salt ≥ 128 bits).
    public static let saltByteCount = 16
    public static let keyByteCount = 32
    /// Headroom above 128·N·r so BoringSSL's memory check passes.
    static let memoryHeadroom = 1 << 20

    public var cost: Int
    public var blockSize: Int
    public var parallelism: Int

    /// Tests may lower `cost` to keep suites quick; the server always uses the defaults.
    public init(cost: Int = defaultCost, blockSize: Int = defaultBlockSize, parallelism: Int = defaultParallelism) {
        (self.cost, self.blockSize, self.parallelism) = (cost, blockSize, parallelism)
    }

    /// The text to store for `password`, with a fresh salt.
    public func hash(_ password: String) throws(AccountsError) -> String {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<Self.saltByteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let key = try Self.derive(password, salt: salt, cost: cost, blockSize: blockSize, parallelism: parallelism)
        return ["scrypt", String(cost), String(blockSize), String(parallelism),
                Data(salt).base64EncodedString(), key.base64EncodedString()].joined(separator: "$")
    }

    /// Whether `password` matches `stored`, compared in constant time.
    public static func verify(_ password: String, against stored: String) throws(AccountsError) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, parts[0] == "scrypt",
              let cost = Int(parts[1]), let blockSize = Int(parts[2]), let parallelism = Int(parts[3]),
              let salt = Data(base64Encoded: parts[4]), let expected = Data(base64Encoded: parts[5]),
              cost > 1, cost & (cost - 1) == 0, (1...64).contains(blockSize), (1...16).contains(parallelism),
              !expected.isEmpty else { throw .corruptPasswordHash }
        let key = try derive(password, salt: Array(salt), cost: cost, blockSize: blockSize, parallelism: parallelism,
                             outputByteCount: expected.count)
        return constantTimeEquals(key, expected)
    }

    static func derive(_ password: String, salt: [UInt8], cost: Int, blockSize: Int, parallelism: Int,
                       outputByteCount: Int = keyByteCount) throws(AccountsError) -> Data {
        do {
            let key = try KDF.Scrypt.deriveKey(
                from: Array(password.utf8), salt: salt, outputByteCount: outputByteCount, rounds: cost,
                blockSize: blockSize, parallelism: parallelism, maxMemory: 128 * cost * blockSize * parallelism + memoryHeadroom)
            return key.withUnsafeBytes { Data($0) }
        } catch {
            throw .corruptPasswordHash
        }
    }
}

/// Equal-length byte strings compared without an early exit, so timing says nothing about
/// where they differ.
func constantTimeEquals(_ a: Data, _ b: Data) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for (x, y) in zip(a, b) { difference |= x ^ y }
    return difference == 0
}

/// Unguessable base64url text from the system CSPRNG.
func randomToken(byteCount: Int) -> String {
    var generator = SystemRandomNumberGenerator()
    let bytes = (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    return Data(bytes).base64EncodedString()
        .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
}

/// Lower-case hex SHA-256 of a token: what the store keeps instead of the token.
func sha256Hex(_ text: String) -> String {
    SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
}
