import Foundation
import Storage

/// One API request as metered: who, what, how many tokens, how long, with what status.
public struct UsageRecord: Sendable, Equatable, Codable {
    public let id: String
    public let keyID: String?
    public let partner: String?
    public let endpoint: String
    public let model: String?
    /// The HTTP status; 0 while the request runs, and forever if the server died during it.
    public let status: Int
    public let promptTokens: Int
    public let cachedTokens: Int
    public let completionTokens: Int
    public let latencyMs: Int?
    public let server: String
    public let startedMs: Int
    public let finishedMs: Int?

    public var interrupted: Bool { status == 0 }

    init(row: SQLRow) throws(StorageError) {
        id = try row.string("id")
        keyID = try row.optionalString("key_id")
        partner = try row.optionalString("partner")
        endpoint = try row.string("endpoint")
        model = try row.optionalString("model")
        status = try row.int("status")
        promptTokens = try row.int("prompt_tokens")
        cachedTokens = try row.int("cached_tokens")
        completionTokens = try row.int("completion_tokens")
        latencyMs = try row.optionalInt("latency_ms")
        server = try row.string("server")
        startedMs = try row.int("started_ms")
        finishedMs = try row.optionalInt("finished_ms")
    }
}

/// What a request used, filled in as it runs.
public struct UsageOutcome: Sendable, Equatable {
    public var status: Int
    public var model: String?
    public var promptTokens = 0
    public var cachedTokens = 0
    public var completionTokens = 0

    public init(status: Int, model: String? = nil, promptTokens: Int = 0, cachedTokens: Int = 0, completionTokens: Int = 0) {
        self.status = status
        self.model = model
        self.promptTokens = promptTokens
        self.cachedTokens = cachedTokens
        self.completionTokens = completionTokens
    }
}

/// The usage records. Each request is written twice: when admitted (status 0) and when done,
/// both committed before going on, so a server killed at any moment leaves every request it
/// took on record: finished ones complete, the ones it was running as interrupted.
public struct UsageLedger: Sendable {
    public let database: Database
    /// Which replica writes (host and process), so records tell replicas apart.
    public let server: String

    public init(database: Database, server: String) {
        self.database = database
        self.server = server
    }

    public func begin(key: PartnerKey?, endpoint: String, now: Date = Date()) async throws -> String {
        var generator = SystemRandomNumberGenerator()
        let id = "req_" + String(generator.next(), radix: 16) + String(generator.next(), radix: 16)
        try await database.run { [server] connection in
            try connection.execute("""
                INSERT INTO usage_records (id, key_id, partner, endpoint, status, server, started_ms) VALUES ($1, $2, $3, $4, 0, $5, $6)
                """, SQLValue(id), SQLValue(key?.id), SQLValue(key?.partner), SQLValue(endpoint), SQLValue(server),
                SQLValue(Clock.milliseconds(now)))
        }
        return id
    }

    public func finish(_ id: String, outcome: UsageOutcome, latency: TimeInterval, now: Date = Date()) async throws {
        try await database.run { connection in
            try connection.execute("""
                UPDATE usage_records SET status = $2, model = $3, prompt_tokens = $4, cached_tokens = $5,
                    completion_tokens = $6, latency_ms = $7, finished_ms = $8
                WHERE id = $1
                """, SQLValue(id), SQLValue(outcome.status), SQLValue(outcome.model), SQLValue(outcome.promptTokens),
                SQLValue(outcome.cachedTokens), SQLValue(outcome.completionTokens), SQLValue(Int((latency * 1000).rounded())),
                SQLValue(Clock.milliseconds(now)))
        }
    }

    /// Records newest first, optionally of one partner (or key id) and since a time.
    public func records(partner: String? = nil, sinceMs: Int? = nil, limit: Int = 100) async throws -> [UsageRecord] {
        try await database.run { connection in
            try connection.execute("""
                SELECT * FROM usage_records
                WHERE (CAST($1 AS TEXT) IS NULL OR partner = $1 OR key_id = $1) AND started_ms >= $2
                ORDER BY started_ms DESC, id DESC LIMIT $3
                """, SQLValue(partner), SQLValue(sinceMs ?? 0), SQLValue(limit)).map { row throws in try UsageRecord(row: row) }
        }
    }

    /// Totals per partner and key since a time.
    public struct Summary: Sendable, Equatable, Codable {
        public let partner: String?
        public let keyID: String?
        public let requests: Int
        public let failed: Int
        public let interrupted: Int
        public let promptTokens: Int
        public let completionTokens: Int
        public let meanLatencyMs: Double?
    }

    public func summary(sinceMs: Int? = nil) async throws -> [Summary] {
        try await database.run { connection in
            try connection.execute("""
                SELECT partner, key_id, COUNT(*) AS requests,
                    SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS failed,
                    SUM(CASE WHEN status = 0 THEN 1 ELSE 0 END) AS interrupted,
                    SUM(prompt_tokens) AS prompt_tokens, SUM(completion_tokens) AS completion_tokens,
                    AVG(latency_ms) AS mean_latency
                FROM usage_records WHERE started_ms >= $1
                GROUP BY partner, key_id ORDER BY partner, key_id
                """, SQLValue(sinceMs ?? 0)).map { row throws in
                Summary(partner: try row.optionalString("partner"), keyID: try row.optionalString("key_id"),
                        requests: try row.int("requests"), failed: try row.int("failed"), interrupted: try row.int("interrupted"),
                        promptTokens: try row.int("prompt_tokens"), completionTokens: try row.int("completion_tokens"),
                        meanLatencyMs: row["mean_latency"] == .null ? nil : try row.double("mean_latency"))
            }
        }
    }
}
