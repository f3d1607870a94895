import Foundation
import Shopping

/// Token usage, with the prompt tokens served from the prefix cache.
struct Usage: Encodable, Sendable {
    struct PromptDetails: Encodable, Sendable { let cached_tokens: Int }
    let prompt_tokens: Int
    let completion_tokens: Int
    let total_tokens: Int
    let prompt_tokens_details: PromptDetails
    /// Thinking and Contemplating: how many of the completion tokens were reasoning.
    let completion_tokens_details: CompletionDetails?
    struct CompletionDetails: Encodable, Sendable { let reasoning_tokens: Int }

    init(prompt: Int, completion: Int, cached: Int, reasoning: Int? = nil) {
        prompt_tokens = prompt
        completion_tokens = completion
        total_tokens = prompt + completion
        prompt_tokens_details = PromptDetails(cached_tokens: cached)
        completion_tokens_details = reasoning.map(CompletionDetails.init)
    }
}

/// OpenAI's per-token log-probability entry (chat completions).
struct TokenLogprobEntry: Encodable, Sendable {
    struct Alternative: Encodable, Sendable { let token: String; let logprob: Float; let bytes: [UInt8] }
    let token: String
    let logprob: Float
    let bytes: [UInt8]
    let top_logprobs: [Alternative]
}

struct ChoiceLogprobs: Encodable, Sendable {
    let content: [TokenLogprobEntry]
}

struct ChatCompletion: Encodable, Sendable {
    struct Message: Encodable, Sendable {
        let role: String
        /// Null when the answer is tool calls.
        let content: String?
        var tool_calls: [ToolCall]?
        /// Thinking and Contemplating: the reasoning, apart from the answer (as DeepSeek and vLLM send it).
        var reasoning_content: String?
        /// Contemplating: how many samples were drawn and how many agreed with this answer.
        var contemplation: Contemplation?
        /// Shopping: the catalogue products the answer names, as cards (price, image, reason, post).
        var shopping_products: [ProductCard]?
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(role, forKey: .role)
            try c.encode(content, forKey: .content)
            try c.encode(String?.none, forKey: .refusal)
            try c.encodeIfPresent(tool_calls, forKey: .tool_calls)
            try c.encodeIfPresent(reasoning_content, forKey: .reasoning_content)
            try c.encodeIfPresent(contemplation, forKey: .contemplation)
            try c.encodeIfPresent(shopping_products, forKey: .shopping_products)
        }
        enum CodingKeys: String, CodingKey { case role, content, refusal, tool_calls, reasoning_content, contemplation, shopping_products }
    }
    struct Choice: Encodable, Sendable {
        let index: Int
        let message: Message
        let logprobs: ChoiceLogprobs?
        let finish_reason: String
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(message, forKey: .message)
            try c.encode(logprobs, forKey: .logprobs)
            try c.encode(finish_reason, forKey: .finish_reason)
        }
        enum CodingKeys: String, CodingKey { case index, message, logprobs, finish_reason }
    }
    let id: String
    var object = "chat.completion"
    let created: Int
    let model: String
    let system_fingerprint: String
    let choices: [Choice]
    let usage: Usage
}

/// The vote of a Contemplating answer.
struct Contemplation: Encodable, Sendable {
    let samples: Int
    let agreeing: Int
    /// Every sample's answer, in sample order.
    let answers: [String]
}

/// A call the assistant makes: `function.arguments` is JSON text, as OpenAI sends it.
struct ToolCall: Encodable, Sendable {
    struct Function: Encodable, Sendable {
        let name: String
        let arguments: String
    }
    let id: String
    var type = "function"
    let function: Function
}

/// A streamed piece of a tool call: the first of a call carries `id`, `type` and the name, the
/// next ones fragments of the arguments; `index` says which call they extend.
struct ToolCallDelta: Encodable, Sendable {
    struct Function: Encodable, Sendable {
        var name: String?
        var arguments: String?
    }
    let index: Int
    var id: String?
    var type: String?
    let function: Function
}

/// One server-sent event of a streamed chat completion.
struct ChatCompletionChunk: Encodable, Sendable {
    struct Delta: Encodable, Sendable {
        var role: String?
        var content: String?
        var tool_calls: [ToolCallDelta]?
        var reasoning_content: String?
        var contemplation: Contemplation?
        /// Shopping: the answer's product cards, on the first chunk (the same cards as `message.shopping_products`).
        var shopping_products: [ProductCard]?
    }
    struct Choice: Encodable, Sendable {
        let index: Int
        let delta: Delta
        let logprobs: ChoiceLogprobs?
        let finish_reason: String?
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(delta, forKey: .delta)
            try c.encode(logprobs, forKey: .logprobs)
            try c.encode(finish_reason, forKey: .finish_reason)
        }
        enum CodingKeys: String, CodingKey { case index, delta, logprobs, finish_reason }
    }
    let id: String
    var object = "chat.completion.chunk"
    let created: Int
    let model: String
    let system_fingerprint: String
    let choices: [Choice]
    let usage: Usage?
}

/// Legacy text completions (/v1/completions), streamed or not.
struct TextCompletion: Encodable, Sendable {
    struct Logprobs: Encodable, Sendable {
        let tokens: [String]
        let token_logprobs: [Float]
        let top_logprobs: [[String: Float]]
        let text_offset: [Int]
    }
    struct Choice: Encodable, Sendable {
        let index: Int
        let text: String
        let logprobs: Logprobs?
        let finish_reason: String?
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(text, forKey: .text)
            try c.encode(logprobs, forKey: .logprobs)
            try c.encode(finish_reason, forKey: .finish_reason)
        }
        enum CodingKeys: String, CodingKey { case index, text, logprobs, finish_reason }
    }
    let id: String
    var object = "text_completion"
    let created: Int
    let model: String
    let system_fingerprint: String
    let choices: [Choice]
    let usage: Usage?
}

struct ModelObject: Encodable, Sendable {
    let id: String
    var object = "model"
    let created: Int
    var owned_by = "muse"
}

struct ModelList: Encodable, Sendable {
    var object = "list"
    let data: [ModelObject]
}
