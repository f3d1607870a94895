import Crypto
import Foundation
import Storage

/// A partner's API key as stored: everything but the secret, of which only the SHA-256 is kept.
public struct PartnerKey: Sendable, Equatable, Codable {
    public let id: String
    public let partner: String
    /// The secret's first characters, enough to recognise it in a listing.
    public let prefix: String
    public let requestsPerMinute: Int?
    public let tokensPerMinute: Int?
    /// Models the key may use; nil means every model the server has.
    public let models: [String]?
    public let createdMs: Int
    public let revokedMs: Int?

    public var isRevoked: Bool { revokedMs != nil }

    public func allows(model: String) -> Bool { models?.contains(model) ?? true }

    init(row: SQLRow) throws(StorageError) {
        id = try row.string("id")
        partner = try row.string("partner")
        prefix = try row.string("prefix")
        requestsPerMinute = try row.optionalInt("requests_per_minute")
        tokensPerMinute = try row.optionalInt("tokens_per_minute")
        models = try row.optionalString("models").map { $0.split(separator: ",").map(String.init) }
        createdMs = try row.int("created_ms")
        revokedMs = try row.optionalInt("revoked_ms")
    }
}

/// Creates, lists, revokes and checks partner keys. A key is `sk-muse-` and 40 random base62
/// characters (238 bits): hashing it with plain SHA-256 is enough, as no dictionary can guess it.
public struct KeyStore: Sendable {
    public let database: Database
    public static let secretPrefix = "sk-muse-"
    static let secretLength = 40
    static let displayLength = 12
    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    public init(database: Database) { self.database = database }

    public enum Authentication: Sendable, Equatable {
        case valid(PartnerKey)
        case revoked(PartnerKey)
        case unknown
    }

    /// Makes a key; the secret is returned here once and never again.
    public func create(partner: String, requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil,
                       models: [String]? = nil) async throws -> (key: PartnerKey, secret: String) {
        let partner = partner.trimmingCharacters(in: .whitespaces)
        guard !partner.isEmpty, partner.count <= 100, !partner.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw PartnerAccessError.invalidArgument("--partner must be 1 to 100 printable characters")
        }
        for (name, value) in [("--rpm", requestsPerMinute), ("--tpm", tokensPerMinute)] where value.map({ $0 < 1 }) ?? false {
            throw PartnerAccessError.invalidArgument("\(name) must be at least 1")
        }
        let models = models?.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let models, models.isEmpty || models.contains(where: { $0.contains(",") }) {
            throw PartnerAccessError.invalidArgument("--models must name at least one model, without commas in a name")
        }
        var generator = SystemRandomNumberGenerator()  // getrandom(2): cryptographically secure
        let secret = Self.secretPrefix + String(decoding: (0..<Self.secretLength).map { _ in
            Self.alphabet[Int(generator.next(upperBound: UInt64(Self.alphabet.count)))]
        }, as: UTF8.self)
        let id = "key_" + String(generator.next(), radix: 16)
        let now = Clock.milliseconds()
        let rows = try await database.run { connection in
            try connection.execute("""
                INSERT INTO api_keys (id, partner, prefix, secret_sha256, requests_per_minute, tokens_per_minute, models, created_ms)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                RETURNING *
                """, SQLValue(id), SQLValue(partner), SQLValue(String(secret.prefix(Self.displayLength))),
                SQLValue(Self.hash(secret)), SQLValue(requestsPerMinute), SQLValue(tokensPerMinute),
                SQLValue(models?.joined(separator: ",")), SQLValue(now))
        }
        guard let row = rows.first else { throw StorageError.unexpectedValue(column: "id") }
        return (try PartnerKey(row: row), secret)
    }

    public func list() async throws -> [PartnerKey] {
        try await database.run { connection in
            try connection.execute("SELECT * FROM api_keys ORDER BY created_ms, id").map { row throws in try PartnerKey(row: row) }
        }
    }

    /// Revokes by id or by the displayed prefix; revoking twice keeps the first time.
    public func revoke(_ reference: String) async throws -> PartnerKey {
        let matches = try await list().filter { $0.id == reference || (reference.count >= 8 && $0.prefix.hasPrefix(reference)) }
        guard !matches.isEmpty else { throw PartnerAccessError.keyNotFound(reference) }
        guard matches.count == 1, let key = matches.first else { throw PartnerAccessError.ambiguousKey(reference, matches: matches.count) }
        let rows = try await database.run { connection in
            try connection.execute("UPDATE api_keys SET revoked_ms = COALESCE(revoked_ms, $2) WHERE id = $1 RETURNING *",
                                   SQLValue(key.id), SQLValue(Clock.milliseconds()))
        }
        guard let row = rows.first else { throw PartnerAccessError.keyNotFound(reference) }
        return try PartnerKey(row: row)
    }

    public func authenticate(secret: String) async throws -> Authentication {
        guard secret.hasPrefix(Self.secretPrefix), secret.count == Self.secretPrefix.count + Self.secretLength else { return .unknown }
        let hash = Self.hash(secret)
        let rows = try await database.run { connection in
            try connection.execute("SELECT * FROM api_keys WHERE secret_sha256 = $1", SQLValue(hash))
        }
        guard let row = rows.first else { return .unknown }
        let key = try PartnerKey(row: row)
        return key.isRevoked ? .revoked(key) : .valid(key)
    }

    /// Whether any key was ever made (revoked ones count: revoking the last key must not open the API).
    public func anyKeyExists() async throws -> Bool {
        try await database.run { connection in
            !(try connection.execute("SELECT id FROM api_keys LIMIT 1").isEmpty)
        }
    }

    static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
