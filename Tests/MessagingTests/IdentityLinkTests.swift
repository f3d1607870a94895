import Foundation
import Messaging
import Storage
import Testing
import TestSupport

/// Link codes and linked chat identities: the store on SQLite and (when MUSE_TEST_DATABASE_URL
/// is set) PostgreSQL, and `link CODE` messages through the service.
@Suite(.serialized) struct IdentityLinkTests {
    typealias P = WebhookPayloads
    static let phone = "16505551234", otherPhone = "447700900123"

    /// The web account a code is issued for (link codes reference `users`).
    static func addUser(_ database: Database, _ id: String) async throws {
        try await database.run { connection in
            _ = try connection.execute("INSERT INTO users (id, display_name, created_ms) VALUES ($1, $2, 0)", .text(id), .text(id))
        }
    }

    static func message(_ store: MessagingStore, sender: String) async throws -> PendingInbound {
        try #require(try await store.pendingInbound(limit: 10).first { $0.message.senderID == sender })
    }

    @Test func onlyALinkCommandWithACodeIsALinkCommand() {
        #expect(LinkCode.code(inCommand: "link ABCD-EFGH") == "ABCDEFGH")
        #expect(LinkCode.code(inCommand: "  LINK abcd efgh\n") == "ABCDEFGH")
        #expect(LinkCode.code(inCommand: "Link: ab-cd-ef-gh") == "ABCDEFGH")
        #expect(LinkCode.code(inCommand: "link my phone") == nil, "7 letters: a sentence, not a code")
        #expect(LinkCode.code(inCommand: "linkABCDEFGH") == nil)
        #expect(LinkCode.code(inCommand: "please link ABCDEFGH") == nil)
        #expect(LinkCode.code(inCommand: "link ABCD-EFG!") == nil)
        #expect(LinkCode.code(inCommand: "link") == nil)
        // SHA-256("ABCDEFGH"), from Python's hashlib; the code's case does not matter.
        #expect(LinkCode.hash("abcdefgh") == "9ac2197d9258257b1ae8463e4214e4cd0a578bc1517f2415928b91be4283fc48")
        #expect(LinkedChat.mask("16505551234") == "•••1234" && LinkedChat.mask("42") == "•••2")
    }

    @Test func generatedCodesUseTheUnambiguousAlphabet() {
        let codes = (0..<200).map { _ in LinkCode.generate() }
        #expect(codes.allSatisfy { $0.count == LinkCode.length && $0.allSatisfy { "ABCDEFGHJKLMNPQRSTUVWXYZ23456789".contains($0) } })
        #expect(Set(codes).count == codes.count, "200 draws of 40 bits do not repeat")
        #expect(LinkCode.display("ABCDEFGH") == "ABCD-EFGH")
    }

    @Test(arguments: try TestDatabase.freshLocations())
    func aCodeLinksOnceAndOnlyItsHashIsStored(location: DatabaseLocation) async throws {
        let database = try Database(location)
        let store = MessagingStore(database: database)
        try await Self.addUser(database, "usr_a")
        _ = try await store.accept(MessagingStoreTests.text("wamid.1", from: Self.phone, at: 1000), now: 1000)
        _ = try await store.accept(MessagingStoreTests.text("wamid.2", from: Self.otherPhone, at: 1000), now: 1000)
        let phone = try await Self.message(store, sender: Self.phone), other = try await Self.message(store, sender: Self.otherPhone)

        let issued = try await store.issueLinkCode(userID: "usr_a", accountName: "alice", now: 10_000)
        #expect(issued.expiresMs == 10_000 + LinkCode.lifetimeMs)
        let code = issued.code.replacingOccurrences(of: "-", with: "")
        let rows = try await database.run { connection in try connection.execute("SELECT * FROM messaging_link_codes") }
        #expect(rows.count == 1 && rows.first?["code_sha256"] == .text(LinkCode.hash(code)))
        let texts = rows.flatMap(\.values.values).compactMap { value -> String? in
            guard case .text(let text) = value else { return nil }
            return text
        }
        #expect(!texts.contains { $0.uppercased().contains(code) }, "the code itself is in no column")

        #expect(try await store.redeemLinkCode(code.lowercased(), from: phone, now: 70_000) == .linked(accountName: "alice"))
        #expect(try await store.linkedUser(platform: .whatsapp, senderID: Self.phone) == "usr_a")
        #expect(try await store.redeemLinkCode(code, from: phone, now: 80_000) == .linked(accountName: "alice"),
                "the linked chat sending it again hears it worked")
        #expect(try await store.redeemLinkCode(code, from: other, now: 80_000) == .used)
        #expect(try await store.linkedUser(platform: .whatsapp, senderID: Self.otherPhone) == nil)
        let chats = try await store.linkedChats(userID: "usr_a")
        #expect(chats.map(\.id) == [phone.conversationID] && chats.first?.platform == .whatsapp)
        #expect(chats.first?.maskedSender == "•••1234" && chats.first?.linkedMs == 70_000)
        #expect(try await store.redeemLinkCode("ZZZZZZZZ", from: other, now: 80_000) == .unknown)

        let late = try await store.issueLinkCode(userID: "usr_a", accountName: "alice", now: 100_000)
        let lateCode = late.code.replacingOccurrences(of: "-", with: "")
        #expect(try await store.redeemLinkCode(lateCode, from: other, now: late.expiresMs) == .expired)
        #expect(try await store.linkedUser(platform: .whatsapp, senderID: Self.otherPhone) == nil)

        #expect(try await !store.unlink(conversationID: phone.conversationID, userID: "usr_b"), "only the account's owner unlinks")
        #expect(try await store.unlink(conversationID: phone.conversationID, userID: "usr_a"))
        #expect(try await store.linkedUser(platform: .whatsapp, senderID: Self.phone) == nil)
        #expect(try await store.linkedChats(userID: "usr_a").isEmpty)
        #expect(try await store.redeemLinkCode(code, from: phone, now: 90_000) == .used, "an unlinked chat cannot reuse its code")
    }

    @Test(arguments: try TestDatabase.freshLocations())
    func linkMessagesAreAnsweredWithoutTheModelAndTheLinkedSenderReachesTheComposer(location: DatabaseLocation) async throws {
        try await FakeGraphAPI.run { fake in
            let setup = try MessagingServiceTests.setup(fake, location: location)
            let service = setup.service, seconds = MessagingServiceTests.seconds
            try await Self.addUser(service.store.database, "usr_a")
            func text(_ id: String, _ from: String, _ body: String, _ offset: Int) async throws -> String? {
                try await setup.post(P.whatsAppText(id: id, from: from, body: body, seconds: seconds + offset), .whatsapp)
                _ = try await service.drain()
                return (fake.sends.last?.json["text"] as? [String: Any])?["body"] as? String
            }
            let issued = try await service.store.issueLinkCode(userID: "usr_a", accountName: "alice", now: setup.clock.now)
            let linked = LinkRedemption.linked(accountName: "alice").reply(on: .whatsapp)
            #expect(try await text("wamid.L1", Self.phone, "Link " + issued.code.lowercased(), 1) == linked)
            #expect(linked.contains("WhatsApp") && linked.contains("\"alice\""))
            let stored = try await service.store.database.run { connection in
                try connection.execute("SELECT body FROM messaging_inbound WHERE message_id = 'wamid.L1'").first?.optionalString("body")
            }
            #expect(stored == LinkCode.redactedCommand, "the message's stored text loses the code")
            #expect(try await text("wamid.L2", Self.otherPhone, "link ZZZZ-ZZZZ", 2) == LinkRedemption.unknown.reply(on: .whatsapp))
            #expect(try await text("wamid.L3", Self.otherPhone, "link " + issued.code, 3) == LinkRedemption.used.reply(on: .whatsapp))
            #expect(setup.composer.senders.isEmpty, "link messages never reach the model")

            #expect(try await text("wamid.Q1", Self.phone, "What should I cook?", 4) == "re: What should I cook? (3 turns)",
                    "the link exchange is in the history, without the code")
            let phone = try #require(setup.composer.senders.last?.conversationID)
            #expect(try await service.store.history(conversationID: phone, limit: 10).first
                    == ConversationTurn(role: "user", content: LinkCode.redactedCommand))
            #expect(setup.composer.senders.last == ChatSender(conversationID: phone, linkedUserID: "usr_a"))

            let late = try await service.store.issueLinkCode(userID: "usr_a", accountName: "alice", now: setup.clock.now)
            setup.clock.advance(ms: LinkCode.lifetimeMs)
            #expect(try await text("wamid.L4", Self.otherPhone, "link " + late.code, 5) == LinkRedemption.expired.reply(on: .whatsapp))

            #expect(try await service.store.unlink(conversationID: phone, userID: "usr_a"))
            _ = try await text("wamid.Q2", Self.phone, "And dessert?", 6)
            #expect(setup.composer.senders.last == ChatSender(conversationID: phone, linkedUserID: nil), "unlinking takes effect at once")
            #expect(fake.sends.count == 6, "one reply per message")
        }
    }
}
