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
/// in the prompt the real composer builds once its consent is on, until the owner unlinks the chat.
@Suite(.serialized) struct ChatLinkTests {
    typealias P = WebhookPayloads
    static let fact = "I am vegetarian"
    /// The prompt is under test, not the answer: a few tokens keep the real model's turns quick.
    static let replyTokens = 4

    @Test func aLinkedSenderGetsTheAccountsMemoryUntilUnlinked() async throws {
        try await FakeGraphAPI.run { fake in
            let shared = try TestServer.shared.get()
            let database = try Database(try TestDatabase.freshSQLite())
            let accounts = AccountStore(database: database, hasher: PasswordHasher(cost: 1 << 10))
            let composer = ModelReplyComposer(scheduler: shared.scheduler, maxReplyTokens: Self.replyTokens, accounts: accounts)
            let messaging = MessagingService(
                store: MessagingStore(database: database),
                security: try WebhookSecurity(appSecret: WebhookTests.secret, verifyToken: WebhookTests.verifyToken),
                graph: try GraphClient(baseURL: fake.baseURL, accessToken: fake.accessToken), composer: composer)
            let client = InProcessClient(MuseAPI(scheduler: shared.scheduler, settings: shared.settings, messaging: messaging,
                                                 web: WebApp(accounts: accounts)))
            let browser = try await WebBrowser.signedUp(client, "linker")
            let userID = try await accounts.signIn(username: "linker", password: "password-linker").id
            #expect(try await browser.send(.post, "/web/memory", #"{"text":"\#(Self.fact)"}"#).status == .created)
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

            let hello = try await say("wamid.K2", "Hello?", 1)
            #expect(try await accounts.personalisationUses(userId: userID).isEmpty, "personalisation is off: no memory")
            #expect(try await browser.send(.put, "/web/settings", #"{"personalisation":true,"healthConsent":false}"#).status == .ok)

            let turns = [ConversationTurn(role: "user", content: LinkCode.redactedCommand), ConversationTurn(role: "assistant", content: linked),
                         ConversationTurn(role: "user", content: "Hello?"), ConversationTurn(role: "assistant", content: hello),
                         ConversationTurn(role: "user", content: "Suggest a dinner.")]
            _ = try await say("wamid.K3", "Suggest a dinner.", 2)
            // The composer read the account's memory for this chat (recorded as web chat records it)...
            let uses = try await accounts.personalisationUses(userId: userID)
            #expect(uses.map(\.facts) == [[Self.fact]] && uses.first?.conversationId == chat.id)
            // ...and its prompt carries it once, in the system message, worded as web chat words it.
            let prompt = try composer.messages(for: turns, facts: [Self.fact])
            #expect(prompt.first?.role == "system")
            #expect(prompt.first?.content.hasSuffix("these facts about themselves:\n- \(Self.fact)") == true)
            #expect(prompt.filter { $0.content.contains(Self.fact) }.count == 1)
            #expect(prompt.dropFirst().map(\.content) == turns.map(\.content), "the turns follow unchanged")

            #expect(try await browser.send(.delete, "/web/chat-links/\(chat.id)").status == .ok)
            _ = try await say("wamid.K4", "And a dessert?", 3)
            #expect(try await accounts.personalisationUses(userId: userID).count == 1, "unlinked: the memory is no longer read")
            #expect(fake.sends.count == 4)
        }
    }
}
