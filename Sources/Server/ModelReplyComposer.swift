import Foundation
import Generation
import Messaging
import Tokenization

/// Answers chat-app messages with the served model, through the scheduler like any chat
/// completion: the conversation rendered with the model's chat template, decoded greedily.
public struct ModelReplyComposer: ReplyComposer {
    let scheduler: InferenceScheduler
    /// Chat apps show a few lines; 128 tokens is about 90 words.
    public static let defaultMaxReplyTokens = 128
    public let maxReplyTokens: Int
    public static let systemPrompt = "You are Muse, a helpful assistant answering in a chat app. Reply briefly, in plain text."

    public init(scheduler: InferenceScheduler, maxReplyTokens: Int = ModelReplyComposer.defaultMaxReplyTokens) {
        (self.scheduler, self.maxReplyTokens) = (scheduler, maxReplyTokens)
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

    /// `image` is downloaded and validated; handing it to the vision path is still to come, so
    /// for now the model sees the "[photo]" marker and the caption in the user's turn.
    public func reply(to history: [ConversationTurn], image: ReceivedImage?) async throws -> String {
        let tokenizer = scheduler.loaded.tokenizer
        guard let template = tokenizer.chatTemplate else { throw APIError.internalFailure("the model has no chat template") }
        let prompt = tokenizer.encode(template.render(try messages(for: history), addGenerationPrompt: true),
                                      addSpecial: true, parseSpecial: true)
        let options = GenerationOptions(maxTokens: maxReplyTokens, sampling: SamplingParameters(temperature: 0))
        var text = ""
        for try await event in try scheduler.generate(prompt: prompt, options: options) {
            if case .token(let token) = event { text += token.text }
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
