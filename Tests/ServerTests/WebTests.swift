import Accounts
import Foundation
import Hummingbird
import Messaging
import Server
import Storage
import Testing
import TestSupport

/// A browser as the web routes see it: the session cookie and the CSRF token it was given.
struct WebBrowser {
    let client: InProcessClient
    var cookie = ""
    var csrf = ""

    /// Signs up `name` and keeps the cookie and CSRF token.
    static func signedUp(_ client: InProcessClient, _ name: String) async throws -> WebBrowser {
        var browser = WebBrowser(client: client)
        let response = try await browser.send(.post, "/web/signup", #"{"username":"\#(name)","password":"password-\#(name)"}"#, csrf: false)
        #expect(response.status == .ok)
        let setCookie = try #require(response.headers[values: .setCookie].first)
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax") && setCookie.contains("Path=/"))
        browser.cookie = try #require(setCookie.split(separator: ";").first.map(String.init))
        browser.csrf = try #require(try jsonObject(response.body)["csrf"] as? String)
        return browser
    }

    func send(_ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, csrf: Bool = true) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if !cookie.isEmpty { headers[.cookie] = cookie }
        if csrf { headers[HTTPFields.Element.Name("X-CSRF-Token")!] = self.csrf }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { $0 }
    }

    func conversation() async throws -> String {
        let response = try await send(.post, "/web/conversations", #"{"mode":"instant","title":"hello"}"#)
        #expect(response.status == .created)
        return try #require(try jsonObject(response.body)["id"] as? String)
    }
}

/// The web assistant's routes in-process, on a fresh SQLite store, with the test model.
@Suite(.serialized) struct WebRouteTests {
    let client: InProcessClient
    let accounts: AccountStore

    init() throws {
        let shared = try TestServer.shared.get()
        accounts = AccountStore(database: try Database(try TestDatabase.freshSQLite()), hasher: PasswordHasher(cost: 1 << 10))
        let api = MuseAPI(scheduler: shared.scheduler, settings: shared.settings, web: WebApp(accounts: accounts))
        client = InProcessClient(api)
    }

    @Test func pageIsServedWithAStrictContentSecurityPolicy() async throws {
        let response = try await client.execute(uri: "/", method: .get) { $0 }
        #expect(response.status == .ok && String(buffer: response.body).contains("<script src=\"/app.js\""))
        #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
        let script = try await client.execute(uri: "/app.js", method: .get) { $0 }
        #expect(String(buffer: script.body).contains("function escapeHTML"))
        #expect(String(buffer: script.body).contains("function loadChatLinks"))
        #expect(String(buffer: response.body).contains("<section id=\"chat-links\""))
    }

    @Test func stateChangesWithoutTheCSRFTokenAreRefused() async throws {
        var browser = try await WebBrowser.signedUp(client, "csrfuser")
        let missing = try await browser.send(.post, "/web/conversations", #"{"mode":"instant"}"#, csrf: false)
        #expect(missing.status == .forbidden)
        #expect(try errorObject(missing.body)["code"] as? String == "csrf_failed")
        let right = browser.csrf
        browser.csrf = "wrong-token"
        #expect(try await browser.send(.post, "/web/memory", #"{"text":"x"}"#).status == .forbidden)
        #expect(try await browser.send(.delete, "/web/account").status == .forbidden)
        browser.csrf = right
        #expect(try await browser.send(.post, "/web/memory", #"{"text":"likes tea"}"#).status == .created)
        // A cross-site form post (no JSON) cannot sign a browser in.
        let form = try await client.execute(uri: "/web/signin", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                            body: ByteBuffer(string: "username=csrfuser&password=password-csrfuser")) { $0 }
        #expect(form.status == .forbidden)
    }

    @Test func anotherUsersConversationIsNotFound() async throws {
        let alice = try await WebBrowser.signedUp(client, "alice")
        let mallory = try await WebBrowser.signedUp(client, "mallory")
        let id = try await alice.conversation()
        #expect(try await alice.send(.get, "/web/conversations/\(id)").status == .ok)
        #expect(try await mallory.send(.get, "/web/conversations/\(id)").status == .notFound)
        #expect(try await mallory.send(.delete, "/web/conversations/\(id)").status == .notFound)
        #expect(try await mallory.send(.post, "/web/conversations/\(id)/messages", #"{"content":"hi"}"#).status == .notFound)
        let list = try await mallory.send(.get, "/web/conversations")
        #expect(String(buffer: list.body) == "[]")
        let anonymous = WebBrowser(client: client)
        #expect(try await anonymous.send(.get, "/web/conversations/\(id)").status == .unauthorized)
    }

    @Test func answerStreamsAndBothTurnsAreStoredWithXSSAsText() async throws {
        let browser = try await WebBrowser.signedUp(client, "streamer")
        let id = try await browser.conversation()
        let payload = #"<img src=x onerror=alert(1)><script>alert(2)</script>"#
        let body = try JSONSerialization.data(withJSONObject: ["content": payload, "mode": "instant"])
        let response = try await browser.send(.post, "/web/conversations/\(id)/messages", String(decoding: body, as: UTF8.self))
        #expect(response.status == .ok && response.headers[.contentType] == "text/event-stream")
        let events = eventPayloads(response.body)
        #expect(events.last == "[DONE]")
        let streamed = events.dropLast().compactMap { event -> String? in
            let object = try? JSONSerialization.jsonObject(with: Data(event.utf8)) as? [String: Any]
            let delta = (object?["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any]
            return delta?["content"] as? String
        }.joined()
        #expect(!streamed.isEmpty)
        let detail = try await browser.send(.get, "/web/conversations/\(id)")
        #expect(detail.headers[.contentType] == "application/json")
        let messages = try #require(try jsonObject(detail.body)["messages"] as? [[String: Any]])
        #expect(messages.count == 2)
        #expect(messages.first?["content"] as? String == payload)  // stored and returned as data, never as markup
        #expect(messages.last?["role"] as? String == "assistant" && messages.last?["content"] as? String == streamed)
    }

    @Test func memoryEntersThePromptOnlyWithPersonalisationOn() async throws {
        let browser = try await WebBrowser.signedUp(client, "memo")
        let userId = try await accounts.signIn(username: "memo", password: "password-memo").id
        #expect(try await browser.send(.post, "/web/memory", #"{"text":"I am vegetarian"}"#).status == .created)
        let id = try await browser.conversation()
        let ask = #"{"content":"Suggest a dinner.","mode":"instant"}"#
        _ = try await browser.send(.post, "/web/conversations/\(id)/messages", ask)
        #expect(try await accounts.personalisationUses(userId: userId).isEmpty)
        #expect(try await browser.send(.put, "/web/settings", #"{"personalisation":true,"healthConsent":false}"#).status == .ok)
        _ = try await browser.send(.post, "/web/conversations/\(id)/messages", #"{"regenerate":true,"mode":"instant"}"#)
        #expect(try await accounts.personalisationUses(userId: userId).map(\.facts) == [["I am vegetarian"]])
        let messages = try await accounts.messages(conversationId: id, userId: userId)
        #expect(messages.map(\.role) == ["user", "assistant"])  // regenerate replaced the answer
    }

    @Test func chatLinkCodesNeedASessionAndOnlyTheOwnerSeesAndUnlinksTheChat() async throws {
        let anonymous = WebBrowser(client: client)
        #expect(try await anonymous.send(.post, "/web/chat-links/code").status == .unauthorized)
        #expect(try await anonymous.send(.get, "/web/chat-links").status == .unauthorized)
        let alice = try await WebBrowser.signedUp(client, "linkalice")
        #expect(try await alice.send(.post, "/web/chat-links/code", csrf: false).status == .forbidden)
        let issued = try await alice.send(.post, "/web/chat-links/code")
        #expect(issued.status == .created)
        let command = try #require(try jsonObject(issued.body)["command"] as? String)
        #expect(command.range(of: "^link [A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$", options: .regularExpression) != nil, "\(command)")
        #expect(String(buffer: try await alice.send(.get, "/web/chat-links").body) == "[]")

        // The chat side: the sender's `link CODE` message, redeemed as the messaging worker redeems it.
        let chats = MessagingStore(database: accounts.database)
        _ = try await chats.accept(InboundMessage(platform: .whatsapp, messageID: "wamid.web1", senderID: "16505551234",
                                                  businessID: "b", sentMs: 1, content: .text(command)), now: 1)
        let message = try #require(try await chats.pendingInbound(limit: 1).first)
        let chat = message.conversationID, code = try #require(LinkCode.code(inCommand: command))
        #expect(try await chats.redeemLinkCode(code, from: message, now: Clock.milliseconds()) == .linked(accountName: "linkalice"))

        let listed = try await alice.send(.get, "/web/chat-links")
        let links = try #require(try JSONSerialization.jsonObject(with: Data(listed.body.readableBytesView)) as? [[String: Any]])
        #expect(links.count == 1 && links.first?["id"] as? String == chat && links.first?["platform"] as? String == "whatsapp")
        #expect(links.first?["maskedSender"] as? String == "•••1234" && !String(buffer: listed.body).contains("16505551234"),
                "the page never gets the whole sender id")
        let export = try await alice.send(.get, "/web/export")
        #expect(String(buffer: export.body).contains("16505551234"), "the export holds the linked chat identity")

        let mallory = try await WebBrowser.signedUp(client, "linkmallory")
        #expect(try await mallory.send(.delete, "/web/chat-links/\(chat)").status == .notFound)
        #expect(try await alice.send(.delete, "/web/chat-links/\(chat)", csrf: false).status == .forbidden)
        #expect(try await alice.send(.delete, "/web/chat-links/\(chat)").status == .ok)
        #expect(String(buffer: try await alice.send(.get, "/web/chat-links").body) == "[]")
        #expect(try await chats.linkedUser(platform: .whatsapp, senderID: "16505551234") == nil)
    }

    @Test func exportThenDeleteTheAccount() async throws {
        let browser = try await WebBrowser.signedUp(client, "leaver")
        _ = try await browser.send(.post, "/web/memory", #"{"text":"plays chess"}"#)
        let export = try await browser.send(.get, "/web/export")
        #expect(export.headers[.contentDisposition]?.contains("attachment") == true)
        #expect(((try jsonObject(export.body)["memory"] as? [[String: Any]])?.first?["text"] as? String) == "plays chess")
        let deleted = try await browser.send(.delete, "/web/account")
        #expect(deleted.status == .ok)
        #expect(deleted.headers[values: .setCookie].contains { $0.contains("Max-Age=0") })
        #expect(try await browser.send(.get, "/web/memory").status == .unauthorized)
        await #expect(throws: AccountsError.signInFailed) { try await accounts.signIn(username: "leaver", password: "password-leaver") }
    }
}
