import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import Messaging
import Server
import Storage
import Testing
import TestSupport

/// Meta's webhooks against the served app on a loopback socket, the real model answering and a
/// fake Graph API recording what our server sends.
@Suite(.serialized) struct WebhookTests {
    typealias P = WebhookPayloads
    static let secret = "test-app-secret"
    static let verifyToken = "test-verify-token"
    /// Short replies keep the suite quick; the length does not change what is tested.
    static let replyTokens = 24

    static func service(_ api: MuseAPI, fake: FakeGraphAPI, location: DatabaseLocation) throws -> MessagingService {
        MessagingService(store: MessagingStore(database: try Database(location)),
                         security: try WebhookSecurity(appSecret: secret, verifyToken: verifyToken),
                         graph: try GraphClient(baseURL: fake.baseURL, accessToken: fake.accessToken),
                         composer: ModelReplyComposer(scheduler: api.scheduler, maxReplyTokens: replyTokens))
    }

    /// Serves an app with the webhooks and its worker running, as `muse serve` does.
    static func serve(_ messaging: MessagingService, _ body: (_ port: Int) async throws -> Void) async throws {
        let shared = try TestServer.shared.get()
        let api = MuseAPI(scheduler: shared.scheduler, settings: shared.settings, messaging: messaging)
        let worker = Task { await messaging.runWorker(pollInterval: .milliseconds(200)) }
        defer { worker.cancel() }
        try await LiveServerTests.withLiveServer(api, body)
    }

    static func request(_ port: Int, _ method: String, _ path: String, body: String? = nil,
                        signature: String? = nil) async throws -> (status: Int, body: String) {
        let url = try #require(URL(string: "http://127.0.0.1:\(port)\(path)"))
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let signature { request.setValue(signature, forHTTPHeaderField: "X-Hub-Signature-256") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// POSTs a webhook body signed as Meta would.
    static func deliver(_ port: Int, _ platform: MessagingPlatform, _ body: String) async throws -> Int {
        let signature = try WebhookSecurity(appSecret: secret, verifyToken: verifyToken).signatureHeader(for: Data(body.utf8))
        return try await request(port, "POST", "/webhooks/\(platform.rawValue)", body: body, signature: signature).status
    }

    /// What the model answers through /v1/chat/completions for the same conversation: the
    /// reply our server sends must be exactly this.
    /// `image`: a data URL sent as an image_url part of the last message.
    static func expectedReply(_ api: MuseAPI, history: [ConversationTurn], image: String? = nil) async throws -> String {
        var messages: [[String: Any]] = try ModelReplyComposer(scheduler: api.scheduler, maxReplyTokens: replyTokens)
            .messages(for: history).map { ["role": $0.role, "content": $0.content] }
        if let image, let last = messages.last, let text = last["content"] as? String {
            messages[messages.count - 1]["content"] = [["type": "image_url", "image_url": ["url": image]], ["type": "text", "text": text]]
        }
        let body = try JSONSerialization.data(withJSONObject: [
            "model": TestServer.modelID, "messages": messages, "temperature": 0, "max_tokens": replyTokens,
        ] as [String: Any])
        var content = ""
        try await post(InProcessClient(api), "/v1/chat/completions", String(decoding: body, as: UTF8.self)) { response in
            let choice = try #require((try jsonObject(response.body)["choices"] as? [[String: Any]])?.first)
            content = try #require((choice["message"] as? [String: Any])?["content"] as? String)
        }
        return content.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func sentText(_ request: FakeGraphAPI.RecordedRequest) -> String? {
        (request.json["text"] as? [String: Any])?["body"] as? String ?? (request.json["message"] as? [String: Any])?["text"] as? String
    }

    @Test func theHandshakeAnswersTheChallengeOrRefuses() async throws {
        try await FakeGraphAPI.run { fake in
            let api = try TestServer.shared.get()
            let messaging = try Self.service(api, fake: fake, location: try TestDatabase.freshSQLite())
            try await Self.serve(messaging) { port in
                for platform in MessagingPlatform.allCases {
                    let ok = try await Self.request(port, "GET", "/webhooks/\(platform.rawValue)?hub.mode=subscribe"
                                                        + "&hub.challenge=1158201444&hub.verify_token=\(Self.verifyToken)")
                    #expect(ok.status == 200 && ok.body == "1158201444")
                    let php = try await Self.request(port, "GET", "/webhooks/\(platform.rawValue)?hub_mode=subscribe"
                                                         + "&hub_challenge=42&hub_verify_token=\(Self.verifyToken)")
                    #expect(php.status == 200 && php.body == "42")
                    let wrong = try await Self.request(port, "GET", "/webhooks/\(platform.rawValue)?hub.mode=subscribe"
                                                           + "&hub.challenge=1&hub.verify_token=guess")
                    #expect(wrong.status == 403)
                }
            }
        }
    }

    @Test func replayedPayloadsGetExactlyTheModelsRepliesOnce() async throws {
        try await FakeGraphAPI.run { fake in
            let api = try TestServer.shared.get()
            let messaging = try Self.service(api, fake: fake, location: try TestDatabase.freshSQLite())
            let now = Int(Date().timeIntervalSince1970)
            let first = P.whatsAppText(id: "wamid.T1", from: "16505551234", body: "What is the capital of France?", seconds: now)
            let png = try LabelImage.bytes()  // a label OCR reads exactly: the photo must reach the vision path
            fake.addMedia(id: "MEDIA1", data: png)
            try await Self.serve(messaging) { port in
                // A forged body is refused and leaves nothing behind.
                let forged = try await Self.request(port, "POST", "/webhooks/whatsapp", body: first,
                                                    signature: "sha256=" + String(repeating: "0", count: 64))
                #expect(forged.status == 403)
                #expect(try await Self.request(port, "POST", "/webhooks/whatsapp", body: first).status == 403, "no signature")
                #expect(try await messaging.store.inboundState(platform: .whatsapp, messageID: "wamid.T1") == nil)

                #expect(try await Self.deliver(port, .whatsapp, first) == 200)
                #expect(try await Self.deliver(port, .whatsapp, first) == 200, "Meta's retry is acknowledged")
                #expect(try await Self.deliver(port, .whatsapp, P.whatsAppText(id: "wamid.OLD", from: "16505551234",
                                                                               body: "Are you there?", seconds: now - 2 * 86_400)) == 200)
                #expect(try await Self.deliver(port, .messenger, P.pageEcho(mid: "m_echo", to: "PSID1", text: "ours",
                                                                            milliseconds: now * 1000)) == 200)
                _ = try await LiveServerTests.waitFor("the first reply") { fake.sends.count == 1 ? true : nil }
                #expect(try await Self.deliver(port, .whatsapp, first) == 200, "a retry after the reply went out")
                #expect(try await Self.deliver(port, .whatsapp, P.whatsAppImage(
                    id: "wamid.T2", from: "16505551234", mediaID: "MEDIA1", sha256: FakeGraphAPI.hex(png),
                    caption: "What colour is this?", seconds: now + 1)) == 200)
                _ = try await LiveServerTests.waitFor("the second reply") { fake.sends.count == 2 ? true : nil }

                let sends = fake.sends
                #expect(sends.count == 2, "one reply per message: the duplicate, the stale message and the echo get none")
                let firstReply = try await Self.expectedReply(api, history: [ConversationTurn(role: "user", content: "What is the capital of France?")])
                #expect(!firstReply.isEmpty && sends.first.flatMap(Self.sentText) == firstReply)
                #expect(sends.first?.json["to"] as? String == "16505551234")
                // The chat-completions answer for the same picture sent as an image_url part: the
                // webhook's photo was read (OCR observation before the words) exactly as chat reads it.
                let secondReply = try await Self.expectedReply(api, history: [
                    ConversationTurn(role: "user", content: "What is the capital of France?"),
                    ConversationTurn(role: "assistant", content: firstReply),
                    ConversationTurn(role: "user", content: "[photo] What colour is this?"),
                ], image: try LabelImage.dataURL())
                #expect(sends.last.flatMap(Self.sentText) == secondReply, "the first exchange and the photo are the second's context")
                let seen = try await ModelReplyComposer(scheduler: api.scheduler).seeing(
                    ReceivedImage(data: png, mimeType: "image/png", sha256: FakeGraphAPI.hex(png)),
                    in: [ConversationTurn(role: "user", content: "[photo] What colour is this?")])
                #expect(seen.last?.content.contains("\"Nutrition Facts\"") == true, "\(seen.last?.content ?? "")")
                #expect(fake.requests.contains { $0.method == "GET" && $0.path == "/media/MEDIA1" }, "the image was fetched")
                #expect(try await messaging.store.inboundState(platform: .whatsapp, messageID: "wamid.OLD")?.state == "stale")

                #expect(try await Self.deliver(port, .whatsapp, P.whatsAppStatus(messageID: "wamid.out.1", status: "delivered",
                                                                                 recipient: "16505551234", seconds: now + 2)) == 200)
                #expect(try await messaging.store.statuses(platform: .whatsapp, messageID: "wamid.out.1").map(\.status) == ["delivered"])
                #expect(try await Self.deliver(port, .instagram, P.pageText(mid: "m", from: "p", text: "t", milliseconds: 1)) == 400,
                        "a Messenger body on the Instagram route")
            }
        }
    }

    @Test(arguments: try TestDatabase.freshLocations())
    func aReplyWaitingInTheOutboxIsSentByTheNextServer(location: DatabaseLocation) async throws {
        try await FakeGraphAPI.run { fake in
            let api = try TestServer.shared.get()
            let now = Int(Date().timeIntervalSince1970)
            fake.answerSends(with: [503])  // the Graph API is down while the first server runs
            let before = try Self.service(api, fake: fake, location: location)
            try await Self.serve(before) { port in
                #expect(try await Self.deliver(port, .messenger, P.pageText(mid: "m_R1", from: "PSID9", text: "Hello!",
                                                                            milliseconds: now * 1000)) == 200)
                _ = try await LiveServerTests.waitFor("the failed first try to be recorded") {
                    try await before.store.outbox().first?.attempts == 1 ? true : nil
                }
            }
            // The first server is gone with its reply unsent; the next one starts on the same store.
            let waiting = try #require(try await before.store.outbox().first)
            #expect(waiting.state == "pending" && waiting.attempts == 1 && waiting.lastError?.hasPrefix("HTTP 503") == true)
            let after = try Self.service(api, fake: fake, location: location)
            try await Self.serve(after) { _ in
                _ = try await LiveServerTests.waitFor("the reply to be sent") {
                    try await after.store.outbox().first?.state == "sent" ? true : nil
                }
            }
            let sends = fake.sends
            #expect(sends.count == 2 && sends[0].body == sends[1].body, "the same reply, tried again, sent once")
            let expected = try await Self.expectedReply(api, history: [ConversationTurn(role: "user", content: "Hello!")])
            #expect(sends.last.flatMap(Self.sentText) == expected)
        }
    }
}
