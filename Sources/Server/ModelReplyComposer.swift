import Foundation
import Generation
import Messaging
import Shelf
import Tokenization

/// Answers chat-app messages with the served model, through the scheduler like any chat
/// completion: the conversation rendered with the model's chat template, decoded greedily.
public struct ModelReplyComposer: ReplyComposer {
    let scheduler: InferenceScheduler
    /// Chat apps show a few lines; 128 tokens is about 90 words.
    public static let defaultMaxReplyTokens = 128
    public let maxReplyTokens: Int
    public static let systemPrompt = "You are Muse, a helpful assistant answering in a chat app. Reply briefly, in plain text."
    /// Reads a photo the way chat's `image_url` parts are read (OCR, the tagger, the shelf ranking).
    let perception: ImagePerception
    /// Products to identify on photos; nil: none are looked for.
    let catalogue: ProductCatalog?

    public init(scheduler: InferenceScheduler, maxReplyTokens: Int = ModelReplyComposer.defaultMaxReplyTokens,
                perception: ImagePerception = ImagePerception(), catalogue: ProductCatalog? = nil) {
        (self.scheduler, self.maxReplyTokens, self.perception, self.catalogue) = (scheduler, maxReplyTokens, perception, catalogue)
    }

    /// The messages the model sees: the system prompt, then the turns (oldest dropped first
    /// until the prompt and the longest reply fit the context).
    public func messages(for history: [ConversationTurn]) throws(APIError) -> [ChatMessage] {
        guard let template = scheduler.loaded.tokenizer.chatTemplate else {
            throw .internalFailure("the model has no chat template, so it cannot answer chat messages")
        }
        var turns = history[...]
        while true {
            let messages = [ChatMessage(role: "system", content: Self.systemPrompt)]
                + turns.map { ChatMessage(role: $0.role, content: $0.content) }
            let prompt = template.render(messages, addGenerationPrompt: true)
            let count = scheduler.loaded.tokenizer.encode(prompt, addSpecial: true, parseSpecial: true).count
            if count + maxReplyTokens <= scheduler.contextLength || turns.count <= 1 { return messages }
            turns = turns.dropFirst()
        }
    }

    /// `image` (downloaded and checked by the Graph client) is read like a chat `image_url` part:
    /// its observation goes before the newest user turn's words, exactly as /v1/chat/completions
    /// places it, so a photo sent on WhatsApp gets the answer the API gives for the same picture.
    /// Only the newest photo is read; older turns keep their "[photo]" marker.
    public func reply(to history: [ConversationTurn], image: ReceivedImage?) async throws -> String {
        let tokenizer = scheduler.loaded.tokenizer
        guard let template = tokenizer.chatTemplate else { throw APIError.internalFailure("the model has no chat template") }
        let prompt = tokenizer.encode(template.render(try messages(for: try await seeing(image, in: history)), addGenerationPrompt: true),
                                      addSpecial: true, parseSpecial: true)
        let options = GenerationOptions(maxTokens: maxReplyTokens, sampling: SamplingParameters(temperature: 0))
        var text = ""
        for try await event in try scheduler.generate(prompt: prompt, options: options) {
            if case .token(let token) = event { text += token.text }
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `history` with the observation of `image` before the last user turn's text.
    public func seeing(_ image: ReceivedImage?, in history: [ConversationTurn]) async throws(APIError) -> [ConversationTurn] {
        guard let image, let last = history.last, last.role == "user" else { return history }
        var index: CatalogIndex?
        if let catalogue {
            do { index = try await catalogue.index() } catch { throw .internalFailure("product catalogue: \(error)") }
        }
        let observation = try await perception.observe(bytes: [UInt8](image.data), catalogue: index)
        return history.dropLast() + [ConversationTurn(role: "user", content: observation.rendered(number: 1) + "\n" + last.content)]
    }
}
