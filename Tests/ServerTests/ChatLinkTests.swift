import Accounts
import Foundation
import Hummingbird
import Messaging
import Server
import Storage
import Testing
import TestSupport

/// Linking end to end, in-process: a code from the web app, `link CODE` as a signed webhook
/// from a WhatsApp sender (replies go to the fake Graph API), then the linked account's memory
/// in the prompt the real composer builds, until the owner unlinks the chat.
@Suite(.serialized) struct ChatLinkTests {
    typealias P = WebhookPayloads
    static let fact = "I am vegetarian"

    @Test func aLinkedSenderGetsTheAccountsMemoryUntilUnlinked() async throws {
        try await FakeGraphAPI.run { fake in
            let shared = try TestServer.shared.get()
            let database = try Database(try TestDatabase.freshSQLite())
            let accounts = AccountStore(database: database, hasher: PasswordHasher(cost: 1 << 10))
            let composer = ModelReplyComposer(scheduler: shared.scheduler, maxReplyTokens: WebhookTests.replyTokens, accounts: accounts)
            let messaging = MessagingService(
                store: MessagingStore(database: database),
                security: try WebhookSecurity(appSecret: WebhookTests.secret, verifyToken: WebhookTests.verifyToken),
                graph: try GraphClient(baseURL: fake.baseURL, accessToken: fake.accessToken), composer: composer)
            let client = InProcessClient(MuseAPI(scheduler: shared.scheduler, settings: shared.settings, messaging: messaging,
                                                 web: WebApp(accounts: accounts)))
            let browser = try await WebBrowser.signedUp(client, "linker")
            let userID = try await accounts.signIn(username: "linker", password: "password-linker").id
            #expect(try await browser.send(.post, "/web/memory", #"{"text":"\#(Self.fact)"}"#).status == .created)
            #expect(try await browser.send(.put, "/web/settings", #"{"personalisation":true,"healthConsent":false}"#).status == .ok)
            let command = try #require(try jsonObject(try await browser.send(.post, "/web/chat-links/code").body)["command"] as? String)

            let now = Int(Date().timeIntervalSince1970)
            /// A signed webhook from the sender, answered by one drain: the text sent back.
            func say(_ id: String, _ text: String, _ offset: Int) async throws -> String {
                let body = P.whatsAppText(id: id, from: "16505551234", body: text, seconds: now + offset)
                var headers: HTTPFields = [.contentType: "application/json"]
                headers[HTTPFields.Element.Name("X-Hub-Signature-256")!] = messaging.security.signatureHeader(for: Data(body.utf8))
                let status = try await client.execute(uri: "/webhooks/whatsapp", method: .post, headers: headers,
                                                      body: ByteBuffer(string: body)) { $0.status }
                #expect(status == .ok)
                _ = try await messaging.drain()
                return try #require(fake.sends.last.flatMap(WebhookTests.sentText))
            }

            let linked = try await say("wamid.K1", command, 0)
            #expect(linked == LinkRedemption.linked(accountName: "linker").reply(on: .whatsapp))
            let chat = try #require(try await messaging.store.linkedChats(userID: userID).first)
            #expect(chat.platform == .whatsapp && chat.maskedSender == "•••1234")

            var turns = [ConversationTurn(role: "user", content: LinkCode.redactedCommand),
                         ConversationTurn(role: "assistant", content: linked), ConversationTurn(role: "user", content: "Suggest a dinner.")]
            let personal = try await say("wamid.K2", "Suggest a dinner.", 1)
            // The composer read the account's memory for this chat (recorded as web chat records it)...
            let uses = try await accounts.personalisationUses(userId: userID)
            #expect(uses.map(\.facts) == [[Self.fact]] && uses.first?.conversationId == chat.id)
            // ...and put it in the system message, so the reply is the model's answer to that prompt.
            let prompt = try composer.messages(for: turns, facts: [Self.fact])
            #expect(prompt.first?.role == "system" && prompt.first?.content.hasSuffix("- \(Self.fact)") == true)
            #expect(prompt.filter { $0.content.contains(Self.fact) }.count == 1)
            let expectedPersonal = try await WebhookTests.expectedReply(shared, history: turns, facts: [Self.fact])
            #expect(personal == expectedPersonal)

            #expect(try await browser.send(.delete, "/web/chat-links/\(chat.id)").status == .ok)
            turns += [ConversationTurn(role: "assistant", content: personal), ConversationTurn(role: "user", content: "And a dessert?")]
            let plain = try await say("wamid.K3", "And a dessert?", 2)
            #expect(try await accounts.personalisationUses(userId: userID).count == 1, "unlinked: the memory is no longer read")
            let expectedPlain = try await WebhookTests.expectedReply(shared, history: turns)
            #expect(plain == expectedPlain)
            #expect(fake.sends.count == 3)
        }
    }
}
