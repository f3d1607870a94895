import Foundation
import Messaging
import Storage
import Testing
import TestSupport

/// The messaging tables on SQLite and (when MUSE_TEST_DATABASE_URL is set) PostgreSQL.
@Suite struct MessagingStoreTests {
    /// Any lease: these tests never let one run out.
    static let leaseMs = 60_000

    static func text(_ id: String, from sender: String = "16505551234", at ms: Int, _ body: String = "hi") -> InboundMessage {
        InboundMessage(platform: .whatsapp, messageID: id, senderID: sender, businessID: WebhookPayloads.phoneNumberID,
                       sentMs: ms, content: .text(body))
    }

    @Test(arguments: try TestDatabase.freshLocations())
    func aMessageIdIsAcceptedOnceEvenAfterReopening(location: DatabaseLocation) async throws {
        let store = MessagingStore(database: try Database(location))
        #expect(try await store.accept(Self.text("wamid.1", at: 1000), now: 2000))
        #expect(try await !store.accept(Self.text("wamid.1", at: 1000), now: 3000), "Meta's retry of the same id")
        let reopened = MessagingStore(database: try Database(location))
        #expect(try await !reopened.accept(Self.text("wamid.1", at: 1000), now: 4000), "the id survives a restart")
        #expect(try await reopened.accept(Self.text("wamid.2", at: 5000), now: 5000))
        let pending = try await reopened.pendingInbound(limit: 10)
        #expect(pending.map(\.message.messageID) == ["wamid.1", "wamid.2"])
        #expect(Set(pending.map(\.conversationID)).count == 1, "one sender, one conversation")
    }

    @Test(arguments: try TestDatabase.freshLocations())
    func answersCarryContextAndFillTheOutbox(location: DatabaseLocation) async throws {
        let store = MessagingStore(database: try Database(location))
        _ = try await store.accept(Self.text("wamid.1", at: 1000, "first"), now: 1000)
        _ = try await store.accept(Self.text("wamid.x", from: "other", at: 1000, "elsewhere"), now: 1000)
        let first = try #require(try await store.claimPending(limit: 10, now: 1000, leaseMs: Self.leaseMs).first)
        let outboxID = try #require(try await store.answer(first, userTurn: "first", reply: "one", now: 1100))
        _ = try await store.accept(Self.text("wamid.2", at: 2000, "second"), now: 2000)
        let second = try #require(try await store.claimPending(limit: 10, now: 2000, leaseMs: Self.leaseMs)
            .first { $0.message.messageID == "wamid.2" })
        #expect(try await store.answer(second, userTurn: "second", reply: "two", now: 2100) != nil)
        #expect(try await store.history(conversationID: second.conversationID, limit: 10) == [
            ConversationTurn(role: "user", content: "first"), ConversationTurn(role: "assistant", content: "one"),
            ConversationTurn(role: "user", content: "second"), ConversationTurn(role: "assistant", content: "two"),
        ])
        #expect(try await store.history(conversationID: second.conversationID, limit: 1) == [ConversationTurn(role: "assistant", content: "two")])
        let due = try await store.outbox(dueBy: 5000)
        #expect(due.map(\.body) == ["one", "two"] && due.first?.id == outboxID)
        #expect(due.first?.recipientID == "16505551234" && due.first?.lastInboundMs == 2000 && due.first?.replyTo == "wamid.1")
        #expect(try await store.claimOutbox(limit: 1, now: 5000, leaseMs: Self.leaseMs).map(\.id) == [outboxID])
        #expect(try await store.reschedule(outboxID, nextAttemptMs: 9000, error: "HTTP 503", now: 5000))
        #expect(try await store.outbox(dueBy: 5000).map(\.body) == ["two"], "a rescheduled reply waits for its time")
        #expect(try await store.outbox(dueBy: 9000).first?.attempts == 1)
        #expect(try await store.inboundState(platform: .whatsapp, messageID: "wamid.1")?.state == "answered")
    }

    @Test(arguments: try TestDatabase.freshLocations())
    func aSenderLinksToAWebAccount(location: DatabaseLocation) async throws {
        let store = MessagingStore(database: try Database(location))
        #expect(try await !store.link(platform: .whatsapp, senderID: "16505551234", userID: "user-7"), "no conversation yet")
        _ = try await store.accept(Self.text("wamid.1", at: 1000), now: 1000)
        #expect(try await store.link(platform: .whatsapp, senderID: "16505551234", userID: "user-7"))
        #expect(try await store.linkedUser(platform: .whatsapp, senderID: "16505551234") == "user-7")
        #expect(try await store.linkedUser(platform: .messenger, senderID: "16505551234") == nil)
    }

    @Test(arguments: try TestDatabase.freshLocations())
    func statusesAreRecordedOnce(location: DatabaseLocation) async throws {
        let store = MessagingStore(database: try Database(location))
        for status in ["sent", "delivered", "delivered", "read"] {
            try await store.record(DeliveryStatus(platform: .whatsapp, messageID: "wamid.out.1", status: status, recipientID: "1",
                                                  timestampMs: ["sent": 1, "delivered": 2, "read": 3][status] ?? 0))
        }
        #expect(try await store.statuses(platform: .whatsapp, messageID: "wamid.out.1").map(\.status) == ["sent", "delivered", "read"])
    }
}
