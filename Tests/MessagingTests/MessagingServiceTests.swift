import Foundation
import Messaging
import Storage
import Testing
import TestSupport

/// A clock the test moves by hand (ms since 1970).
final class ManualClock: @unchecked Sendable {  // `value` behind `lock`
    private let lock = NSLock()
    private var value: Int
    init(_ start: Int) { value = start }
    var now: Int { lock.withLock { value } }
    func advance(ms: Int) { lock.withLock { value += ms } }
}

/// Stands in for the model, which lives in the Server layer (the server tests run the real one):
/// answers from the conversation it was given, so the tests can tell the exact reply.
final class TranscriptComposer: ReplyComposer, @unchecked Sendable {  // `seen` and `seenSenders` behind `lock`
    private let lock = NSLock()
    private var seen: [ReceivedImage] = []
    private var seenSenders: [ChatSender] = []
    var images: [ReceivedImage] { lock.withLock { seen } }
    /// Who wrote each message the composer answered, in order.
    var senders: [ChatSender] { lock.withLock { seenSenders } }

    func reply(to history: [ConversationTurn], image: ReceivedImage?) async throws -> String {
        if let image { lock.withLock { seen.append(image) } }
        return "re: \(history.last?.content ?? "") (\(history.count) turns)"
    }

    func reply(to history: [ConversationTurn], image: ReceivedImage?, sender: ChatSender) async throws -> String {
        lock.withLock { seenSenders.append(sender) }
        return try await reply(to: history, image: image)
    }
}

@Suite(.serialized) struct MessagingServiceTests {
    typealias P = WebhookPayloads
    static let secret = "app-secret-123"
    /// 2026-11-27 07:00 UTC, in the reply window of the messages the tests send.
    static let start = 1_795_762_800_000

    struct Setup {
        let service: MessagingService
        let composer: TranscriptComposer
        let clock: ManualClock
        let location: DatabaseLocation

        func post(_ body: String, _ platform: MessagingPlatform) async throws {
            let data = Data(body.utf8)
            try await service.receive(body: data, signatureHeader: service.security.signatureHeader(for: data), platform: platform)
        }
    }

    static func setup(_ fake: FakeGraphAPI, location: DatabaseLocation? = nil, clock: ManualClock = ManualClock(start)) throws -> Setup {
        let location = try location ?? TestDatabase.freshSQLite()
        let composer = TranscriptComposer()
        let service = MessagingService(
            store: MessagingStore(database: try Database(location)),
            security: try WebhookSecurity(appSecret: secret, verifyToken: "v"),
            graph: try GraphClient(baseURL: fake.baseURL, accessToken: fake.accessToken),
            composer: composer, clock: { clock.now })
        return Setup(service: service, composer: composer, clock: clock, location: location)
    }

    static var seconds: Int { start / 1000 - 60 }

    @Test func aTextDeliveredTwiceIsAnsweredOnceWithContextCarried() async throws {
        try await FakeGraphAPI.run { fake in
            let setup = try Self.setup(fake)
            let first = P.whatsAppText(id: "wamid.1", from: "16505551234", body: "Does it come in blue?", seconds: Self.seconds)
            try await setup.post(first, .whatsapp)
            try await setup.post(first, .whatsapp)  // Meta's retry
            #expect(try await setup.service.drain().sent == 1)
            try await setup.post(first, .whatsapp)  // a retry after the answer went out
            try await setup.post(P.whatsAppText(id: "wamid.2", from: "16505551234", body: "And red?", seconds: Self.seconds + 1), .whatsapp)
            #expect(try await setup.service.drain().sent == 1)
            let sends = fake.sends
            #expect(sends.count == 2)
            #expect(sends.allSatisfy { $0.path == "/\(FakeGraphAPI.version)/\(P.phoneNumberID)/messages" })
            #expect(sends.allSatisfy { $0.authorization == "Bearer \(fake.accessToken)" })
            #expect(sends.first?.body == #"{"messaging_product":"whatsapp","recipient_type":"individual","text":{"body":"re: Does it come in blue? (1 turns)","preview_url":false},"to":"16505551234","type":"text"}"#)
            #expect((sends.last?.json["text"] as? [String: Any])?["body"] as? String == "re: And red? (3 turns)", "the first exchange is context")
            let outbox = try await setup.service.store.outbox()
            #expect(outbox.map(\.state) == ["sent", "sent"] && outbox.map(\.remoteID) == ["wamid.out.1", "wamid.out.2"])
            try await setup.post(P.whatsAppStatus(messageID: "wamid.out.1", status: "delivered", recipient: "16505551234",
                                                  seconds: Self.seconds + 2), .whatsapp)
            try await setup.post(P.whatsAppStatus(messageID: "wamid.out.1", status: "read", recipient: "16505551234",
                                                  seconds: Self.seconds + 3), .whatsapp)
            let statuses = try await setup.service.store.statuses(platform: .whatsapp, messageID: "wamid.out.1")
            #expect(statuses.map(\.status) == ["delivered", "read"])
        }
    }

    @Test func messengerAndInstagramRepliesGoToTheSenderAndEchoesAreNotAnswered() async throws {
        try await FakeGraphAPI.run { fake in
            let setup = try Self.setup(fake)
            try await setup.post(P.pageText(mid: "m_1", from: "PSID1", text: "hello", milliseconds: Self.start - 1000), .messenger)
            try await setup.post(P.pageEcho(mid: "m_echo", to: "PSID1", text: "re: hello", milliseconds: Self.start), .messenger)
            try await setup.post(P.pageText(instagram: true, mid: "ig_1", from: "IGSID1", text: "hey", milliseconds: Self.start - 500),
                                 .instagram)
            let report = try await setup.service.drain()
            #expect(report.answered == 2 && report.sent == 2)
            let sends = fake.sends
            #expect(sends.map(\.path) == ["/\(FakeGraphAPI.version)/\(P.pageID)/messages", "/\(FakeGraphAPI.version)/\(P.instagramID)/messages"])
            #expect(sends.first?.body == #"{"message":{"text":"re: hello (1 turns)"},"messaging_type":"RESPONSE","recipient":{"id":"PSID1"}}"#)
            #expect(sends.last?.body == #"{"message":{"text":"re: hey (1 turns)"},"recipient":{"id":"IGSID1"}}"#)
            #expect(try await setup.service.store.statuses(platform: .messenger, messageID: "m_echo").map(\.status) == ["echo"])
        }
    }

    @Test func aBadSignatureStoresNothing() async throws {
        try await FakeGraphAPI.run { fake in
            let setup = try Self.setup(fake)
            let body = Data(P.pageText(mid: "m_1", from: "PSID1", text: "hello", milliseconds: Self.start).utf8)
            let forged = try WebhookSecurity(appSecret: "not-the-secret", verifyToken: "v").signatureHeader(for: body)
            await #expect(throws: MessagingError.badSignature) {
                try await setup.service.receive(body: body, signatureHeader: forged, platform: .messenger)
            }
            #expect(try await setup.service.drain() == DrainReport())
            #expect(try await setup.service.store.inboundState(platform: .messenger, messageID: "m_1") == nil)
            #expect(fake.requests.isEmpty)
        }
    }

    @Test func aStaleMessageGetsNoReplyAndAReplyOutsideTheWindowIsQuarantined() async throws {
        try await FakeGraphAPI.run { fake in
            let setup = try Self.setup(fake)
            let day = MessagingService.replyWindowMs / 1000
            try await setup.post(P.whatsAppText(id: "wamid.old", from: "1", body: "yesterday", seconds: Self.seconds - day), .whatsapp)
            #expect(try await setup.service.drain().stale == 1)
            #expect(try await setup.service.store.inboundState(platform: .whatsapp, messageID: "wamid.old")?.state == "stale")
            fake.answerSends(with: [503])
            try await setup.post(P.whatsAppText(id: "wamid.new", from: "2", body: "now", seconds: Self.seconds), .whatsapp)
            #expect(try await setup.service.drain().retried == 1)
            setup.clock.advance(ms: MessagingService.replyWindowMs)  // the window closes while the reply waits
            #expect(try await setup.service.drain().quarantinedReplies == 1)
            #expect(fake.sends.count == 1)
            let row = try #require(try await setup.service.store.outbox().first)
            #expect(row.state == "quarantined" && row.lastError == "outside the 24-hour customer-service window")
        }
    }

    @Test func sendsAreRetriedWithBackoffOn429And5xxAndRefusalsAreQuarantined() async throws {
        try await FakeGraphAPI.run { fake in
            let setup = try Self.setup(fake)
            fake.answerSends(with: [429, 503])
            try await setup.post(P.whatsAppText(id: "wamid.1", from: "1", body: "hi", seconds: Self.seconds), .whatsapp)
            #expect(try await setup.service.drain().retried == 1)
            #expect(try await setup.service.drain() == DrainReport(), "not due before its backoff")
            setup.clock.advance(ms: MessagingService.retryDelayMs(afterAttempts: 1))
            #expect(try await setup.service.drain().retried == 1)
            setup.clock.advance(ms: MessagingService.retryDelayMs(afterAttempts: 2))
            #expect(try await setup.service.drain().sent == 1)
            let row = try #require(try await setup.service.store.outbox().first)
            #expect(row.state == "sent" && row.attempts == 3 && row.lastError?.hasPrefix("HTTP 503") == true)
            #expect(fake.sends.count == 3 && Set(fake.sends.map(\.body)).count == 1)
            #expect([1, 2, 3, 10, 40].map(MessagingService.retryDelayMs) == [2_000, 4_000, 8_000, 600_000, 600_000])

            fake.answerSends(with: [400])
            try await setup.post(P.whatsAppText(id: "wamid.2", from: "1", body: "again", seconds: Self.seconds + 1), .whatsapp)
            #expect(try await setup.service.drain().quarantinedReplies == 1)
            let poison = try #require(try await setup.service.store.outbox().last)
            #expect(poison.state == "quarantined" && poison.lastError?.hasPrefix("HTTP 400") == true)

            fake.answerSends(with: Array(repeating: 500, count: MessagingService.maxAttempts))
            try await setup.post(P.whatsAppText(id: "wamid.3", from: "1", body: "more", seconds: Self.seconds + 2), .whatsapp)
            for attempt in 1...MessagingService.maxAttempts {
                _ = try await setup.service.drain()
                setup.clock.advance(ms: MessagingService.retryDelayMs(afterAttempts: attempt))
            }
            let gaveUp = try #require(try await setup.service.store.outbox().last)
            #expect(gaveUp.state == "quarantined" && gaveUp.attempts == MessagingService.maxAttempts)
            #expect(gaveUp.lastError?.hasPrefix("gave up after \(MessagingService.maxAttempts) tries") == true)
        }
    }

    @Test func imagesAreDownloadedAndValidatedBeforeTheComposerSeesThem() async throws {
        try await FakeGraphAPI.run { fake in
            let setup = try Self.setup(fake)
            let png = P.png()
            fake.addMedia(id: "MEDIA1", data: png)
            fake.addMedia(id: "CDN1", data: png)
            fake.addMedia(id: "NOTANIMAGE", data: Data("hello".utf8))
            try await setup.post(P.whatsAppImage(id: "wamid.img", from: "1", mediaID: "MEDIA1", sha256: FakeGraphAPI.hex(png),
                                                 caption: "what is this?", seconds: Self.seconds), .whatsapp)
            try await setup.post(P.pageImage(mid: "m_img", from: "PSID1", url: fake.attachmentURL("CDN1"), milliseconds: Self.start),
                                 .messenger)
            try await setup.post(P.whatsAppImage(id: "wamid.bad", from: "2", mediaID: "NOTANIMAGE", sha256: "", caption: "",
                                                 seconds: Self.seconds), .whatsapp)
            try await setup.post(P.whatsAppImage(id: "wamid.sum", from: "3", mediaID: "MEDIA1", sha256: String(repeating: "0", count: 64),
                                                 caption: "", seconds: Self.seconds), .whatsapp)
            let report = try await setup.service.drain()
            #expect(report.answered == 2 && report.quarantinedInbound == 2 && report.sent == 2)
            #expect(setup.composer.images == [ReceivedImage(data: png, mimeType: "image/png", sha256: FakeGraphAPI.hex(png)),
                                              ReceivedImage(data: png, mimeType: "image/png", sha256: FakeGraphAPI.hex(png))])
            let media = fake.requests.filter { $0.method == "GET" }
            #expect(media.filter { $0.path.hasPrefix("/media/") || $0.path.hasPrefix("/\(FakeGraphAPI.version)/") }
                .allSatisfy { $0.authorization == "Bearer \(fake.accessToken)" })
            #expect(media.filter { $0.path.hasPrefix("/cdn/") }.map(\.authorization) == [nil], "no token to a CDN")
            #expect((fake.sends.first?.json["text"] as? [String: Any])?["body"] as? String == "re: [photo] what is this? (1 turns)")
            #expect(try await setup.service.store.inboundState(platform: .whatsapp, messageID: "wamid.bad")?.reason
                == "image: invalid media: neither JPEG nor PNG")
            #expect(try await setup.service.store.inboundState(platform: .whatsapp, messageID: "wamid.sum")?.reason?
                .contains("does not match the announced") == true)
        }
    }

    @Test func aFloodingSenderWaitsForTheMinuteWhileOthersAreAnswered() async throws {
        try await FakeGraphAPI.run { fake in
            let setup = try Self.setup(fake)
            let limit = MessagingService.repliesPerMinute
            for index in 0..<(limit + 2) {
                try await setup.post(P.whatsAppText(id: "wamid.f\(index)", from: "flood", body: "m\(index)", seconds: Self.seconds + index),
                                     .whatsapp)
            }
            try await setup.post(P.whatsAppText(id: "wamid.calm", from: "calm", body: "hello", seconds: Self.seconds + 99), .whatsapp)
            let first = try await setup.service.drain()
            #expect(first.answered == limit + 1 && first.deferred == 2 && first.sent == limit + 1)
            #expect(try await setup.service.drain().deferred == 2, "still within the minute")
            setup.clock.advance(ms: 60_000)
            let later = try await setup.service.drain()
            #expect(later.answered == 2 && later.sent == 2 && later.deferred == 0)
            let floodReplies = fake.sends.filter { $0.json["to"] as? String == "flood" }
            #expect(floodReplies.count == limit + 2)
            // Seven earlier exchanges are 14 turns; the composer gets the newest 12 and the new one.
            #expect((floodReplies.last?.json["text"] as? [String: Any])?["body"] as? String
                == "re: m\(limit + 1) (\(MessagingService.historyTurns + 1) turns)")
        }
    }

    @Test func theWorkerIsWokenByEachWebhookRatherThanItsPoll() async throws {
        try await FakeGraphAPI.run { fake in
            let setup = try Self.setup(fake)
            // An hour's poll: only the webhooks' wake-ups can make the worker answer within the test.
            let worker = Task { await setup.service.runWorker(pollInterval: .seconds(3600)) }
            defer { worker.cancel() }
            for index in 0..<3 {
                try await setup.post(P.whatsAppText(id: "wamid.w\(index)", from: "1", body: "w\(index)", seconds: Self.seconds + index),
                                     .whatsapp)
                // A bound of 60 s only keeps a broken build from hanging; no timing is asserted.
                for _ in 0..<3000 where fake.sends.count <= index { try await Task.sleep(for: .milliseconds(20)) }
                #expect(fake.sends.count == index + 1)
            }
        }
    }

    @Test(arguments: try TestDatabase.freshLocations())
    func noReplyIsLostAcrossARestart(location: DatabaseLocation) async throws {
        try await FakeGraphAPI.run { fake in
            let before = try Self.setup(fake, location: location)
            try await before.post(P.whatsAppText(id: "wamid.1", from: "1", body: "answered, not sent", seconds: Self.seconds), .whatsapp)
            #expect(try await before.service.answerPending().answered == 1)  // the reply is in the outbox; then the process stops
            try await before.post(P.whatsAppText(id: "wamid.2", from: "1", body: "accepted, not answered", seconds: Self.seconds + 1),
                                  .whatsapp)
            #expect(fake.sends.isEmpty)
            let after = try Self.setup(fake, location: location, clock: before.clock)
            try await after.post(P.whatsAppText(id: "wamid.1", from: "1", body: "answered, not sent", seconds: Self.seconds), .whatsapp)
            #expect(try await after.service.drain().sent == 2)
            #expect(fake.sends.compactMap { ($0.json["text"] as? [String: Any])?["body"] as? String }
                == ["re: answered, not sent (1 turns)", "re: accepted, not answered (3 turns)"])
        }
    }
}
