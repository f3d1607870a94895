import Foundation
import PartnerAccess
import Storage
import Testing
import TestSupport

/// Keys, limits and usage on both backends; two `Database` objects on one location stand for
/// two `muse serve` replicas.
@Suite struct PartnerAccessTests {
    @Test(arguments: try TestDatabase.freshLocations())
    func keysAreShownOnceAndStoredAsHashes(location: DatabaseLocation) async throws {
        let database = try Database(location)
        let keys = KeyStore(database: database)
        #expect(try await keys.anyKeyExists() == false)
        let (key, secret) = try await keys.create(partner: "Acme", requestsPerMinute: 5, models: ["smol"])
        #expect(secret.hasPrefix("sk-muse-") && secret.count == 48)
        #expect(secret.hasPrefix(key.prefix) && key.prefix.count == 12)
        #expect(key.partner == "Acme" && key.requestsPerMinute == 5 && key.tokensPerMinute == nil && key.models == ["smol"])
        #expect(key.allows(model: "smol") && !key.allows(model: "other"))
        // Nothing in the table holds the secret.
        let rows = try await database.run { connection in try connection.execute("SELECT * FROM api_keys") }
        for value in rows.flatMap(\.values.values) {
            if case .text(let text) = value { #expect(!text.contains(secret.dropFirst(12))) }
        }
        #expect(try await keys.authenticate(secret: secret) == .valid(key))
        let wrongLast = secret.hasSuffix("x") ? "y" : "x"  // a different last character, always
        #expect(try await keys.authenticate(secret: secret.dropLast() + wrongLast) == .unknown)
        #expect(try await keys.authenticate(secret: "Bearer nonsense") == .unknown)
        let revoked = try await keys.revoke(key.prefix)
        #expect(revoked.isRevoked)
        #expect(try await keys.authenticate(secret: secret) == .revoked(revoked))
        #expect(try await keys.anyKeyExists(), "revoking the last key must not open the API")
        #expect(try await keys.list().map(\.id) == [key.id])
    }

    @Test(arguments: try TestDatabase.freshLocations())
    func badKeyRequestsAreRefused(location: DatabaseLocation) async throws {
        let keys = KeyStore(database: try Database(location))
        await #expect(throws: PartnerAccessError.self) { try await keys.create(partner: "  ") }
        await #expect(throws: PartnerAccessError.self) { try await keys.create(partner: "p", requestsPerMinute: 0) }
        await #expect(throws: PartnerAccessError.self) { try await keys.create(partner: "p", models: [" "]) }
        await #expect(throws: PartnerAccessError.keyNotFound("key_nope")) { try await keys.revoke("key_nope") }
        _ = try await keys.create(partner: "a")
        _ = try await keys.create(partner: "b")
        await #expect(throws: PartnerAccessError.ambiguousKey("sk-muse-", matches: 2)) { try await keys.revoke("sk-muse-") }
    }

    @Test(arguments: try TestDatabase.freshLocations())
    func requestLimitHoldsAcrossReplicasUnderConcurrency(location: DatabaseLocation) async throws {
        let replicaA = try Database(location), replicaB = try Database(location)
        let (key, _) = try await KeyStore(database: replicaA).create(partner: "p", requestsPerMinute: 10)
        let limiters = [RateLimiter(database: replicaA), RateLimiter(database: replicaB)]
        let now = Date(timeIntervalSince1970: 1_800_000_010)  // 10 s into a minute
        let decisions = try await withThrowingTaskGroup(of: RateLimiter.Decision.self) { group in
            for index in 0..<24 { group.addTask { try await limiters[index % 2].admit(key, now: now) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(decisions.filter { $0 == .admitted }.count == 10)
        for case .limited(let retryAfter, let reason) in decisions {
            #expect(retryAfter == 50)
            #expect(reason.contains("requests per minute"))
        }
        // The next minute is a new window.
        #expect(try await limiters[1].admit(key, now: now.addingTimeInterval(60)) == .admitted)
    }

    @Test(arguments: try TestDatabase.freshLocations())
    func tokenLimitCountsFinishedAnswers(location: DatabaseLocation) async throws {
        let database = try Database(location)
        let (key, _) = try await KeyStore(database: database).create(partner: "p", tokensPerMinute: 100)
        let limiter = RateLimiter(database: database)
        let now = Date(timeIntervalSince1970: 1_800_000_059.5)
        #expect(try await limiter.admit(key, now: now) == .admitted)
        try await limiter.recordTokens(60, for: key, now: now)
        #expect(try await limiter.admit(key, now: now) == .admitted)
        try await limiter.recordTokens(40, for: key, now: now)
        #expect(try await limiter.admit(key, now: now) == .limited(retryAfterSeconds: 1, reason: "tokens per minute: 100 of 100 used this minute"))
        try await limiter.prune(olderThan: 0, now: now.addingTimeInterval(120))
        #expect(try await limiter.admit(key, now: now) == .admitted, "pruned windows are forgotten")
    }

    @Test(arguments: try TestDatabase.freshLocations())
    func usageSurvivesReopeningAndShowsInterruptedRequests(location: DatabaseLocation) async throws {
        let (key, _) = try await KeyStore(database: try Database(location)).create(partner: "Acme")
        do {
            let ledger = UsageLedger(database: try Database(location), server: "replica-1")
            let done = try await ledger.begin(key: key, endpoint: "/v1/chat/completions")
            try await ledger.finish(done, outcome: UsageOutcome(status: 200, model: "smol", promptTokens: 12, cachedTokens: 4,
                                                               completionTokens: 30), latency: 0.25)
            _ = try await ledger.begin(key: key, endpoint: "/v1/completions")  // the server dies here
            let refused = try await ledger.begin(key: nil, endpoint: "/v1/models")
            try await ledger.finish(refused, outcome: UsageOutcome(status: 429), latency: 0.001)
        }
        let ledger = UsageLedger(database: try Database(location), server: "replica-2")
        let records = try await ledger.records()
        #expect(records.count == 3)
        let finished = try #require(records.first { $0.endpoint == "/v1/chat/completions" })
        #expect(finished.status == 200 && finished.promptTokens == 12 && finished.cachedTokens == 4 && finished.completionTokens == 30)
        #expect(finished.latencyMs == 250 && finished.model == "smol" && finished.server == "replica-1" && finished.partner == "Acme")
        #expect(records.first { $0.endpoint == "/v1/completions" }?.interrupted == true)
        #expect(try await ledger.records(partner: "Acme").count == 2)
        let summary = try await ledger.summary()
        let acme = try #require(summary.first { $0.partner == "Acme" })
        #expect(acme.requests == 2 && acme.interrupted == 1 && acme.failed == 0 && acme.promptTokens == 12 && acme.completionTokens == 30)
        #expect(summary.first { $0.partner == nil }?.failed == 1)
    }
}
