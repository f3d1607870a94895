import Foundation
import Generation

/// A string or a list of strings (`stop`).
enum OneOrMany: Decodable, Sendable {
    case one(String), many([String])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let one = try? c.decode(String.self) { self = .one(one) } else { self = .many(try c.decode([String].self)) }
    }

    var values: [String] {
        switch self {
        case .one(let value): return [value]
        case .many(let values): return values
        }
    }
}

/// Message content: a string, or content parts: text, and `image_url` (read by `ImagePerception`
/// into a text part before the prompt is rendered).
enum MessageContent: Decodable, Sendable {
    struct Part: Decodable, Sendable {
        struct ImageURL: Decodable, Sendable {
            /// A `data:` URL or an http(s) URL.
            let url: String
            /// OpenAI's `low`/`high`/`auto`; accepted and ignored (the image is read at full size).
            let detail: String?
        }
        let type: String
        let text: String?
        let image_url: ImageURL?

        init(text: String) {
            type = "text"
            self.text = text
            image_url = nil
        }
    }
    case text(String), parts([Part])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let text = try? c.decode(String.self) { self = .text(text) } else { self = .parts(try c.decode([Part].self)) }
    }

    /// The URLs of the image parts.
    var imageURLs: [String] {
        guard case .parts(let parts) = self else { return [] }
        return parts.filter { $0.type == "image_url" }.map { $0.image_url?.url ?? "" }
    }

    /// The text the model sees; parts other than text are refused by validation.
    var text: String {
        switch self {
        case .text(let text): return text
        case .parts(let parts): return parts.compactMap(\.text).joined(separator: "\n")
        }
    }
}

/// The sampling and limit fields shared by /v1/chat/completions and /v1/completions.
struct SamplingFields: Decodable, Sendable {
    var max_tokens: Int?
    var max_completion_tokens: Int?
    var temperature: Double?
    var top_p: Double?
    var top_k: Int?
    var min_p: Double?
    var presence_penalty: Double?
    var frequency_penalty: Double?
    var repetition_penalty: Double?
    var logit_bias: [String: Double]?
    var seed: Int64?
    var stop: OneOrMany?
    var n: Int?
    var stream: Bool?
    var stream_options: StreamOptions?

    struct StreamOptions: Decodable, Sendable { var include_usage: Bool? }
}

/// `response_format`: plain text, one JSON object, or a value of a JSON schema (both enforced by
/// constrained decoding).
struct ResponseFormat: Decodable, Sendable {
    struct Schema: Decodable, Sendable {
        let name: String?
        let description: String?
        let schema: JSONValue?
        let strict: Bool?
    }
    let type: String
    let json_schema: Schema?
}

struct ChatCompletionRequest: Decodable, Sendable {
    struct Message: Decodable, Sendable {
        let role: String
        let content: MessageContent?
        let name: String?
        /// An assistant turn's calls (its content may then be null).
        let tool_calls: [MessageToolCall]?
        /// A tool turn: the call it answers.
        let tool_call_id: String?

        func replacingContent(_ content: MessageContent) -> Message {
            Message(role: role, content: content, name: name, tool_calls: tool_calls, tool_call_id: tool_call_id)
        }
    }
    let model: String?
    /// `var`: image parts are replaced by what was perceived on them before the prompt is rendered.
    var messages: [Message]
    let logprobs: Bool?
    let top_logprobs: Int?
    let response_format: ResponseFormat?
    let tools: [ToolDefinition]?
    let tool_choice: ToolChoice?
    let parallel_tool_calls: Bool?
    /// `instant`, `thinking`, `contemplating`, `shopping` or `health` (or a `:mode` suffix on `model`).
    let mode: String?
    /// Thinking: most tokens of reasoning before the answer is asked for (default: the server's).
    let reasoning_budget: Int?
    /// Contemplating: how many reasoned answers are sampled and voted on.
    let contemplation_samples: Int?
    /// The end user (OpenAI's field); Shopping mode recommends for this id.
    let user: String?
    let sampling: SamplingFields

    enum CodingKeys: String, CodingKey {
        case model, messages, logprobs, top_logprobs, response_format, tools, tool_choice, parallel_tool_calls
        case mode, reasoning_budget, contemplation_samples, user
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        messages = try c.decode([Message].self, forKey: .messages)
        logprobs = try c.decodeIfPresent(Bool.self, forKey: .logprobs)
        top_logprobs = try c.decodeIfPresent(Int.self, forKey: .top_logprobs)
        response_format = try c.decodeIfPresent(ResponseFormat.self, forKey: .response_format)
        mode = try c.decodeIfPresent(String.self, forKey: .mode)
        reasoning_budget = try c.decodeIfPresent(Int.self, forKey: .reasoning_budget)
        contemplation_samples = try c.decodeIfPresent(Int.self, forKey: .contemplation_samples)
        user = try c.decodeIfPresent(String.self, forKey: .user)
        tools = try c.decodeIfPresent([ToolDefinition].self, forKey: .tools)
        tool_choice = try c.decodeIfPresent(ToolChoice.self, forKey: .tool_choice)
        parallel_tool_calls = try c.decodeIfPresent(Bool.self, forKey: .parallel_tool_calls)
        sampling = try SamplingFields(from: decoder)
    }
}

struct CompletionRequest: Decodable, Sendable {
    let model: String?
    let prompt: OneOrMany
    let echo: Bool?
    /// Legacy completions: how many top alternatives per token (0...5).
    let logprobs: Int?
    let sampling: SamplingFields

    enum CodingKeys: String, CodingKey { case model, prompt, echo, logprobs }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        prompt = try c.decode(OneOrMany.self, forKey: .prompt)
        echo = try c.decodeIfPresent(Bool.self, forKey: .echo)
        logprobs = try c.decodeIfPresent(Int.self, forKey: .logprobs)
        sampling = try SamplingFields(from: decoder)
    }
}

struct TokenizeRequest: Decodable, Sendable {
    let prompt: String?
    let messages: [ChatCompletionRequest.Message]?
    let add_special: Bool?
}

struct DetokenizeRequest: Decodable, Sendable {
    let tokens: [Int]
}
