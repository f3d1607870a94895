import Accounts
import Foundation
import Hummingbird
import Shopping

/// What the page sends to get an answer: a new message, an edit of an earlier one (the
/// conversation is cut there), or a regeneration of the last answer.
struct WebMessageRequest: Decodable, Sendable {
    let content: String?
    let mode: String?
    /// A picture attached to the new message, as a `data:image/...` URL.
    let image: String?
    /// Edit and resend: the position of the user message replaced by `content`.
    let editPosition: Int?
    /// Regenerate: drop the last answer and answer the last user message again.
    let regenerate: Bool?
}

extension MuseAPI {
    /// Most recent messages sent to the model: older turns would not fit a small context anyway.
    static let webHistoryMessages = 16

    /// How the user's memory facts are put to the model, on the web and in chat apps alike.
    static func sharedFacts(_ facts: [String]) -> String {
        "The user chose to share these facts about themselves:\n" + facts.map { "- " + $0 }.joined(separator: "\n")
    }

    /// Stores the user's turn, answers through `/v1/chat/completions`' own path (modes, Health's
    /// guard, Shopping, reasoning) as the same SSE stream, and stores the answer as it ends
    /// (also when the user stops it: the part received is kept).
    func webAnswer(_ web: WebApp, user: User, conversationId: String, _ body: WebMessageRequest) async throws -> Response {
        let accounts = web.accounts
        let mode = try Self.webMode(body.mode)
        let history = try await accountsCall { () async throws(AccountsError) -> [ConversationMessage] in
            let messages = try await accounts.messages(conversationId: conversationId, userId: user.id)
            if body.regenerate == true {
                guard let lastUser = messages.last(where: { $0.role == "user" }) else {
                    throw AccountsError.invalidInput("there is no message to answer again")
                }
                try await accounts.truncate(conversationId: conversationId, userId: user.id, from: lastUser.position + 1)
            } else {
                guard let content = body.content, !content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                    throw AccountsError.invalidInput("the message is empty")
                }
                if let position = body.editPosition {
                    guard messages.contains(where: { $0.position == position && $0.role == "user" }) else {
                        throw AccountsError.notFound("message")
                    }
                    try await accounts.truncate(conversationId: conversationId, userId: user.id, from: position)
                }
                try await accounts.appendMessage(conversationId: conversationId, userId: user.id, role: "user", content: content,
                                                 mode: mode, image: body.image, nowMs: web.nowMs)
            }
            return try await accounts.messages(conversationId: conversationId, userId: user.id)
        }
        let facts = try await accountsCall { () async throws(AccountsError) -> [String] in
            // Health details in memory need the separate health consent before Health mode sees them.
            if mode == ChatMode.health.rawValue, !(try await accounts.settings(userId: user.id).healthConsent) { return [] }
            return try await accounts.factsForPrompt(userId: user.id, conversationId: conversationId, nowMs: web.nowMs)
        }
        var messages: [[String: Any]] = []
        if !facts.isEmpty { messages.append(["role": "system", "content": Self.sharedFacts(facts)]) }
        let recent = history.suffix(Self.webHistoryMessages)
        // Only the newest picture is looked at again (each costs a decode, OCR and tagging);
        // earlier ones are mentioned, and their observation is in the answers that followed.
        let newestImage = recent.last(where: { $0.image != nil })?.position
        messages += recent.map { message -> [String: Any] in
            guard let image = message.image else { return ["role": message.role, "content": message.content] }
            if message.position == newestImage {
                return ["role": message.role, "content": [["type": "text", "text": message.content],
                                                          ["type": "image_url", "image_url": ["url": image]]]]
            }
            return ["role": message.role, "content": message.content + "\n[a picture was attached here]"]
        }
        let payload: [String: Any] = ["model": settings.modelID, "mode": mode, "stream": true, "messages": messages, "user": user.id]
        let request: ChatCompletionRequest
        do { request = try JSONDecoder().decode(ChatCompletionRequest.self, from: try JSONSerialization.data(withJSONObject: payload)) }
        catch { throw APIError.internalFailure("cannot build the chat request: \(error)") }
        let answer = try await chatCompletions(request)
        let inner = answer.body
        let body = ResponseBody { writer in
            let tee = WriterBox(writer)
            var failure: (any Error)?
            do { try await inner.write(TeeWriter(box: tee)) } catch { failure = error }
            writer = tee.writer
            let reply = tee.recorder
            if !reply.content.isEmpty || !reply.reasoning.isEmpty {
                var reasoning = reply.reasoning
                if let agreed = reply.agreement { reasoning += (reasoning.isEmpty ? "" : "\n\n") + agreed }
                _ = try? await accounts.appendMessage(conversationId: conversationId, userId: user.id, role: "assistant",
                                                      content: reply.content, reasoning: reasoning.isEmpty ? nil : reasoning,
                                                      mode: mode, products: reply.products, nowMs: web.nowMs)
            }
            if let failure { throw failure }
            try await writer.finish(nil)
        }
        return Response(status: answer.status, headers: answer.headers, body: body)
    }
}

/// The page's writer, boxed so the tee can write through it and hand it back for `finish`.
final class WriterBox: @unchecked Sendable {  // used by the one task that writes the body
    var writer: any ResponseBodyWriter
    let recorder = StreamRecorder()
    init(_ writer: any ResponseBodyWriter) { self.writer = writer }
}

/// Forwards every SSE event to the page and records the answer; `finish` is left to the owner,
/// which stores the answer first.
struct TeeWriter: ResponseBodyWriter {
    let box: WriterBox

    mutating func write(_ buffer: ByteBuffer) async throws {
        box.recorder.read(String(decoding: buffer.readableBytesView, as: UTF8.self))
        try await box.writer.write(buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// The answer assembled from `chat.completion.chunk` events: content, reasoning_content,
/// Contemplating's vote and Shopping's product cards.
final class StreamRecorder {
    private(set) var content = ""
    private(set) var reasoning = ""
    private(set) var agreement: String?
    private(set) var products: [ProductCard]?
    private var pending = ""

    func read(_ text: String) {
        pending += text
        while let end = pending.range(of: "\n\n") {
            let event = String(pending[..<end.lowerBound])
            pending.removeSubrange(..<end.upperBound)
            guard event.hasPrefix("data: "), let data = event.dropFirst(6).data(using: .utf8),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let choices = object["choices"] as? [[String: Any]],
                  let delta = choices.first?["delta"] as? [String: Any] else { continue }
            content += delta["content"] as? String ?? ""
            reasoning += delta["reasoning_content"] as? String ?? ""
            if let vote = delta["contemplation"] as? [String: Any], let samples = vote["samples"] as? Int,
               let agreeing = vote["agreeing"] as? Int {
                agreement = "\(agreeing) of \(samples) samples agreed"
            }
            if let cards = delta["shopping_products"], let data = try? JSONSerialization.data(withJSONObject: cards),
               let decoded = try? JSONDecoder().decode([ProductCard].self, from: data) {
                products = decoded
            }
        }
    }
}
