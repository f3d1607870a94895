import Foundation
import Storage

/// Per-key limits in fixed one-minute windows, counted in the store so that every replica on
/// one PostgreSQL sees the same counts. A request is admitted when the window has room for one
/// more request (counted at once, atomically) and the tokens used so far in it are under the
/// token limit; tokens are added when the answer is done, so a request that starts under the
/// limit runs to the end and the next one waits.
public struct RateLimiter: Sendable {
    public let database: Database
    static let windowMilliseconds = 60_000

    public init(database: Database) { self.database = database }

    public enum Decision: Sendable, Equatable {
        case admitted
        /// `retryAfterSeconds`: until the window ends (the `Retry-After` header).
        case limited(retryAfterSeconds: Int, reason: String)
    }

    static func windowStart(_ milliseconds: Int) -> Int { milliseconds - milliseconds % windowMilliseconds }

    public func admit(_ key: PartnerKey, now: Date = Date()) async throws -> Decision {
        let nowMs = Clock.milliseconds(now), window = Self.windowStart(nowMs)
        let retryAfter = max(1, (window + Self.windowMilliseconds - nowMs + 999) / 1000)
        let requestLimit = key.requestsPerMinute.map(Int64.init) ?? Int64.max
        return try await database.transaction { connection in
            if let tokenLimit = key.tokensPerMinute {
                let used = try connection.execute("SELECT tokens FROM rate_windows WHERE key_id = $1 AND window_start_ms = $2",
                                                  SQLValue(key.id), SQLValue(window)).first?.int("tokens") ?? 0
                if used >= tokenLimit {
                    return .limited(retryAfterSeconds: retryAfter,
                                    reason: "tokens per minute: \(used) of \(tokenLimit) used this minute")
                }
            }
            // The WHERE on the update leaves a full window untouched, and then no row comes back.
            let counted = try connection.execute("""
                INSERT INTO rate_windows (key_id, window_start_ms, requests, tokens) VALUES ($1, $2, 1, 0)
                ON CONFLICT (key_id, window_start_ms) DO UPDATE SET requests = rate_windows.requests + 1
                WHERE rate_windows.requests < $3
                RETURNING requests
                """, SQLValue(key.id), SQLValue(window), .integer(requestLimit))
            guard !counted.isEmpty else {
                return .limited(retryAfterSeconds: retryAfter,
                                reason: "requests per minute: the limit of \(requestLimit) is reached")
            }
            return .admitted
        }
    }

    /// Adds an answer's tokens (prompt and completion) to the key's window of `now`.
    public func recordTokens(_ tokens: Int, for key: PartnerKey, now: Date = Date()) async throws {
        guard tokens > 0 else { return }
        let window = Self.windowStart(Clock.milliseconds(now))
        try await database.run { connection in
            try connection.execute("""
                INSERT INTO rate_windows (key_id, window_start_ms, requests, tokens) VALUES ($1, $2, 0, $3)
                ON CONFLICT (key_id, window_start_ms) DO UPDATE SET tokens = rate_windows.tokens + $3
                """, SQLValue(key.id), SQLValue(window), SQLValue(tokens))
        }
    }

    /// Forgets windows older than `age` (they no longer limit anything).
    public func prune(olderThan age: TimeInterval = 3600, now: Date = Date()) async throws {
        let cutoff = Clock.milliseconds(now) - Int(age * 1000)
        try await database.run { connection in
            try connection.execute("DELETE FROM rate_windows WHERE window_start_ms < $1", SQLValue(cutoff))
        }
    }
}
