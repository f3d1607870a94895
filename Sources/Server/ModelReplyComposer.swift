import Accounts
import Foundation
import Generation
import Messaging
import Shelf
import Storage
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
    /// The web accounts senders link to: a linked sender's memory reaches the prompt as in web
    /// chat, under the account's consent. nil: no sender is personalised.
    let accounts: AccountStore?

    public init(scheduler: InferenceScheduler, maxReplyTokens: Int = ModelReplyComposer.defaultMaxReplyTokens,
                perception: ImagePerception = ImagePerception(), catalogue: ProductCatalog? = nil, accounts: AccountStore? = nil) {
        (self.scheduler, self.maxReplyTokens, self.perception, self.catalogue) = (scheduler, maxReplyTokens, perception, catalogue)
        self.accounts = accounts
    }

    /// The messages the model sees: the system prompt (with the linked account's `facts`, worded
    /// as web chat words them), then the turns (oldest dropped first until the prompt and the
    /// longest reply fit the context).
    public func messages(for history: [ConversationTurn], facts: [String] = []) throws(APIError) -> [ChatMessage] {
        guard let template = scheduler.loaded.tokenizer.chatTemplate else {
            throw .internalFailure("the model has no chat template, so it cannot answer chat messages")
        }
        // One system message: several confuse templates that expect at most one (Gemma's).
        let system = facts.isEmpty ? Self.systemPrompt : Self.systemPrompt + "\n\n" + MuseAPI.sharedFacts(facts)
        var turns = history[...]
        while true {
            let messages = [ChatMessage(role: "system", content: system)]
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
        try await generate(try messages(for: try await seeing(image, in: history)))
    }

    /// The same for a sender who may have linked a web account: its facts join the prompt.
    public func reply(to history: [ConversationTurn], image: ReceivedImage?, sender: ChatSender) async throws -> String {
        try await generate(try messages(for: try await seeing(image, in: history), facts: try await facts(for: sender)))
    }

    /// The memory facts of the account `sender` linked, read as web chat reads them: none unless
    /// its personalisation consent is on, and each use recorded for its privacy page.
    public func facts(for sender: ChatSender) async throws(APIError) -> [String] {
        guard let accounts, let userID = sender.linkedUserID else { return [] }
        return try await accountsCall { () async throws(AccountsError) in
            try await accounts.factsForPrompt(userId: userID, conversationId: sender.conversationID, nowMs: Clock.milliseconds())
        }
    }

    /// The greedy answer to `messages`, trimmed.
    func generate(_ messages: [ChatMessage]) async throws -> String {
        let tokenizer = scheduler.loaded.tokenizer
        guard let template = tokenizer.chatTemplate else { throw APIError.internalFailure("the model has no chat template") }
        let prompt = tokenizer.encode(template.render(messages, addGenerationPrompt: true), addSpecial: true, parseSpecial: true)
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
