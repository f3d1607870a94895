import Foundation
import Messaging
import Storage
import Testing
import TestSupport

/// Stands in for the model and counts how often each message was answered.
final class CountingComposer: ReplyComposer, @unchecked Sendable {  // `counts` behind `lock`
    private let lock = NSLock()
    private var seen: [String: Int] = [:]
    var counts: [String: Int] { lock.withLock { seen } }

    func reply(to history: [ConversationTurn], image: ReceivedImage?) async throws -> String {
        let text = history.last?.content ?? ""
        lock.withLock { seen[text, default: 0] += 1 }
        await Task.yield()  // lets the other replica's pass run in between
        return "re: \(text)"
    }
}

/// Two workers (`muse serve` replicas) on one store, each with its own connections and owner id,
/// against the loopback fake Graph API.
@Suite(.serialized) struct MessagingReplicaTests {
    typealias P = WebhookPayloads
    /// Senders writing in each round, one message each.
    static let senders = 20
    /// One message per sender per round; the rounds fit one sender's rate limit, so the clock
    /// can stay put and no lease ever runs out: any second answer or send would be a claiming bug.
    static let rounds = MessagingService.repliesPerMinute
    /// Drains each replica runs at once per round, as its worker would on wake-ups.
    static let passes = 3

    static func replicas(_ fake: FakeGraphAPI, _ location: DatabaseLocation, composer: any ReplyComposer, clock: ManualClock,
                         owners: [String] = ["replica-a", "replica-b"]) throws -> [MessagingService] {
        try owners.map { owner in
            MessagingService(store: MessagingStore(database: try Database(location), owner: owner),
                             security: try WebhookSecurity(appSecret: MessagingServiceTests.secret, verifyToken: "v"),
                             graph: try GraphClient(baseURL: fake.baseURL, accessToken: fake.accessToken),
                             composer: composer, clock: { clock.now })
        }
    }

    static func post(_ body: String, to service: MessagingService) async throws {
        let data = Data(body.utf8)
        try await service.receive(body: data, signatureHeader: service.security.signatureHeader(for: data), platform: .whatsapp)
    }

    static func sentTexts(_ fake: FakeGraphAPI) -> [String] {
        fake.sends.compactMap { ($0.json["text"] as? [String: Any])?["body"] as? String }
    }

    @Test(arguments: try TestDatabase.freshLocations())
    func twoReplicasDrainingTogetherAnswerAndSendEveryMessageOnce(location: DatabaseLocation) async throws {
        try await FakeGraphAPI.run { fake in
            let composer = CountingComposer()
            let replicas = try Self.replicas(fake, location, composer: composer, clock: ManualClock(MessagingServiceTests.start))
            var expected: [String] = []
            for round in 0..<Self.rounds {
                for sender in 0..<Self.senders {
                    let text = "round \(round) from \(sender)"
                    // As behind nginx: each webhook reaches one replica or the other.
                    try await Self.post(P.whatsAppText(id: "wamid.\(round).\(sender)", from: "\(sender)", body: text,
                                                       seconds: MessagingServiceTests.seconds + round), to: replicas[sender % 2])
                    expected.append(text)
                }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for replica in replicas {
                        group.addTask { for _ in 0..<Self.passes { try await replica.drain() } }
                    }
                    try await group.waitForAll()
                }
            }
            for replica in replicas { try await replica.drain() }  // whatever a pass left behind
            #expect(composer.counts == Dictionary(uniqueKeysWithValues: expected.map { ($0, 1) }), "one reply per message")
            #expect(Self.sentTexts(fake).sorted() == expected.map { "re: \($0)" }.sorted(), "one send per reply")
            let outbox = try await replicas[0].store.outbox()
            #expect(outbox.count == expected.count && outbox.allSatisfy { $0.state == "sent" && $0.attempts == 1 })
        }
    }

    @Test(arguments: try TestDatabase.freshLocations())
    func aCrashedReplicasLeasesAreTakenOverOnlyOnceTheyExpire(location: DatabaseLocation) async throws {
        try await FakeGraphAPI.run { fake in
            let composer = CountingComposer(), clock = ManualClock(MessagingServiceTests.start)
            let replicas = try Self.replicas(fake, location, composer: composer, clock: clock, owners: ["crashed", "survivor"])
            let (crashed, survivor) = (replicas[0].store, replicas[1])
            for (index, text) in ["answered, not sent", "being answered"].enumerated() {
                try await Self.post(P.whatsAppText(id: "wamid.c\(index)", from: "1", body: text, seconds: MessagingServiceTests.seconds + index),
                                    to: survivor)
            }
            // The crashed replica wrote the first reply and was sending it, and was answering the second.
            let claimed = try await crashed.claimPending(limit: 1, now: clock.now, leaseMs: MessagingService.inboundLeaseMs)
            _ = try await crashed.answer(try #require(claimed.first), userTurn: "answered, not sent", reply: "re: first", now: clock.now)
            _ = try await crashed.claimPending(limit: 1, now: clock.now, leaseMs: MessagingService.inboundLeaseMs)
            #expect(try await crashed.claimOutbox(limit: 1, now: clock.now, leaseMs: MessagingService.outboxLeaseMs).count == 1)

            #expect(try await survivor.drain() == DrainReport(), "live leases of another replica are left alone")
            clock.advance(ms: MessagingService.outboxLeaseMs - 1)
            #expect(try await survivor.drain() == DrainReport())
            clock.advance(ms: 1)
            var sentOne = DrainReport()
            sentOne.sent = 1
            #expect(try await survivor.drain() == sentOne, "the reply's lease ran out; the message's has not")
            clock.advance(ms: MessagingService.inboundLeaseMs - MessagingService.outboxLeaseMs)
            var answeredAndSent = sentOne
            answeredAndSent.answered = 1
            #expect(try await survivor.drain() == answeredAndSent)
            #expect(composer.counts == ["being answered": 1])
            #expect(Self.sentTexts(fake) == ["re: first", "re: being answered"])
        }
    }
}
