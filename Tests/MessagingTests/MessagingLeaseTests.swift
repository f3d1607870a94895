import Foundation
import Messaging
import Storage
import Testing
import TestSupport

/// Leases on SQLite and (when MUSE_TEST_DATABASE_URL is set) PostgreSQL: each replica opens the
/// store with its own connections and owner id, as separate `muse serve` processes do.
@Suite struct MessagingLeaseTests {
    static let leaseMs = 60_000

    static func replica(_ owner: String, _ location: DatabaseLocation) throws -> MessagingStore {
        MessagingStore(database: try Database(location), owner: owner)
    }

    /// Messages wamid.1, wamid.2, ... from these senders, in order.
    static func accept(_ store: MessagingStore, from senders: [String]) async throws {
        for (index, sender) in senders.enumerated() {
            let n = index + 1
            _ = try await store.accept(MessagingStoreTests.text("wamid.\(n)", from: sender, at: 1000 + n, "m\(n)"), now: 1000 + n)
        }
    }

    @Test(arguments: try TestDatabase.freshLocations())
    func aLiveLeaseOfAnotherReplicaIsLeftAloneAndAnExpiredOneIsTakenOver(location: DatabaseLocation) async throws {
        let a = try Self.replica("replica-a", location), b = try Self.replica("replica-b", location)
        try await Self.accept(a, from: ["1", "1", "2"])
        #expect(try await a.claimPending(limit: 1, now: 2000, leaseMs: Self.leaseMs).map(\.message.messageID) == ["wamid.1"])
        #expect(try await b.claimPending(limit: 10, now: 2001, leaseMs: Self.leaseMs).map(\.message.messageID) == ["wamid.3"],
                "wamid.2 waits for the replica answering its conversation")
        let held = try await a.claimPending(limit: 10, now: 2000, leaseMs: Self.leaseMs)
        try #require(held.map(\.message.messageID) == ["wamid.1", "wamid.2"])
        #expect(try await b.claimPending(limit: 10, now: 2000 + Self.leaseMs - 1, leaseMs: Self.leaseMs).map(\.message.messageID)
            == ["wamid.3"], "a's leases are live for one more millisecond; b takes back its own")
        #expect(try await b.answer(held[0], userTurn: "m1", reply: "not b's", now: 2002) == nil)
        #expect(try await !b.close(held[1], state: "stale", reason: "not b's"))
        #expect(try await !b.holdLease(on: held[0], now: 2002, leaseMs: Self.leaseMs))

        // a stalls past its leases: b takes its messages over, and a, waking, writes nothing.
        let later = 2000 + Self.leaseMs
        let takenOver = try await b.claimPending(limit: 10, now: later, leaseMs: Self.leaseMs)
        try #require(takenOver.map(\.message.messageID) == ["wamid.1", "wamid.2", "wamid.3"])
        #expect(try await !a.holdLease(on: held[0], now: later, leaseMs: Self.leaseMs))
        #expect(try await a.answer(held[0], userTurn: "m1", reply: "too late", now: later) == nil)
        #expect(try await !a.close(held[1], state: "quarantined", reason: "too late"))
        #expect(try await a.claimPending(limit: 10, now: later, leaseMs: Self.leaseMs).isEmpty)
        #expect(try await a.outbox().isEmpty)
        #expect(try await a.history(conversationID: held[0].conversationID, limit: 10).isEmpty)
        #expect(try await a.inboundState(platform: .whatsapp, messageID: "wamid.2")?.state == "pending")

        #expect(try await b.answer(takenOver[0], userTurn: "m1", reply: "b's", now: later) != nil)
        #expect(try await b.close(takenOver[1], state: "stale", reason: "test"))
        #expect(try await b.outbox().map(\.body) == ["b's"])
        #expect(try await b.inboundState(platform: .whatsapp, messageID: "wamid.2")?.state == "stale")
        #expect(try await b.claimPending(limit: 10, now: later, leaseMs: Self.leaseMs).map(\.message.messageID) == ["wamid.3"])
    }

    @Test(arguments: try TestDatabase.freshLocations())
    func onlyTheHolderOfAReplyFinishesItAndARescheduledOneIsFreeOnceDue(location: DatabaseLocation) async throws {
        let a = try Self.replica("replica-a", location), b = try Self.replica("replica-b", location)
        try await Self.accept(a, from: ["1", "2"])
        let messages = try await a.claimPending(limit: 10, now: 2000, leaseMs: Self.leaseMs)
        try #require(messages.count == 2)
        let first = try #require(try await a.answer(messages[0], userTurn: "m1", reply: "r1", now: 2000))
        #expect(try await a.claimOutbox(limit: 10, now: 2000, leaseMs: Self.leaseMs).map(\.id) == [first])
        #expect(try await b.claimOutbox(limit: 10, now: 2001, leaseMs: Self.leaseMs).isEmpty)
        #expect(try await !b.markSent(first, remoteID: "b", now: 2001))
        #expect(try await !b.reschedule(first, nextAttemptMs: 3000, error: "b", now: 2001))
        #expect(try await !b.quarantine(first, reason: "b", countsAsAttempt: true, now: 2001))
        #expect(try await !b.holdLease(onOutbox: first, now: 2001, leaseMs: Self.leaseMs))

        #expect(try await a.reschedule(first, nextAttemptMs: 9000, error: "HTTP 503", now: 2002), "which releases it")
        #expect(try await b.claimOutbox(limit: 10, now: 8999, leaseMs: Self.leaseMs).isEmpty, "not due yet")
        #expect(try await b.claimOutbox(limit: 10, now: 9000, leaseMs: Self.leaseMs).map(\.id) == [first])
        #expect(try await !a.markSent(first, remoteID: "a", now: 9001))
        #expect(try await b.markSent(first, remoteID: "wamid.out.b", now: 9001))
        let sent = try #require(try await a.outbox().first)
        #expect(sent.state == "sent" && sent.remoteID == "wamid.out.b" && sent.attempts == 2)

        let second = try #require(try await a.answer(messages[1], userTurn: "m2", reply: "r2", now: 10_000))
        #expect(try await a.claimOutbox(limit: 10, now: 10_000, leaseMs: Self.leaseMs).map(\.id) == [second])
        #expect(try await b.claimOutbox(limit: 10, now: 10_000 + Self.leaseMs - 1, leaseMs: Self.leaseMs).isEmpty)
        #expect(try await b.claimOutbox(limit: 10, now: 10_000 + Self.leaseMs, leaseMs: Self.leaseMs).map(\.id) == [second])
        #expect(try await !a.quarantine(second, reason: "too late", countsAsAttempt: true, now: 10_000 + Self.leaseMs))
        #expect(try await a.outbox().last?.state == "pending")
    }

    @Test(arguments: try TestDatabase.freshLocations())
    func aRestartedReplicaTakesBackItsOwnLeasesAtOnce(location: DatabaseLocation) async throws {
        let before = try Self.replica("replica-a", location)
        try await Self.accept(before, from: ["1", "2"])
        let messages = try await before.claimPending(limit: 10, now: 2000, leaseMs: Self.leaseMs)
        try #require(messages.count == 2)
        let reply = try #require(try await before.answer(messages[0], userTurn: "m1", reply: "r1", now: 2000))
        #expect(try await before.claimOutbox(limit: 10, now: 2000, leaseMs: Self.leaseMs).map(\.id) == [reply])
        // `before` dies holding wamid.2 and the reply to wamid.1.
        let other = try Self.replica("replica-b", location), after = try Self.replica("replica-a", location)
        #expect(try await other.claimPending(limit: 10, now: 2001, leaseMs: Self.leaseMs).isEmpty)
        #expect(try await other.claimOutbox(limit: 10, now: 2001, leaseMs: Self.leaseMs).isEmpty)
        #expect(try await after.claimPending(limit: 10, now: 2001, leaseMs: Self.leaseMs).map(\.message.messageID) == ["wamid.2"])
        #expect(try await after.claimOutbox(limit: 10, now: 2001, leaseMs: Self.leaseMs).map(\.id) == [reply])
        #expect(try await after.markSent(reply, remoteID: "wamid.out.1", now: 2002))
    }
}
