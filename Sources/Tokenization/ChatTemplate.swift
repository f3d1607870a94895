/// One turn of a conversation.
public struct ChatMessage: Sendable, Equatable {
    /// "system", "user" or "assistant" (renamed where a family says otherwise).
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// Chat prompt formats as hand-written families, recognised from a model's Jinja `tokenizer.chat_template`
/// by their markers (no Jinja interpreter). Rendered prompts never include BOS: encode them with
/// `addSpecial: true` and the tokenizer adds it where the model asks.
public enum ChatTemplate: Sendable, Equatable {
    /// `<|im_start|>role\ncontent<|im_end|>\n` (SmolLM, Qwen). `defaultSystem` is inserted as the first
    /// message when the conversation does not start with a system message, as those templates do.
    case chatml(defaultSystem: String?)
    /// `<|start_header_id|>role<|end_header_id|>\n\ncontent<|eot_id|>`, content trimmed (Llama 3).
    case llama3
    /// `<start_of_turn>role\ncontent<end_of_turn>\n`, assistant named "model", system text merged into the
    /// first user turn, content trimmed (Gemma).
    case gemma

    private static let chatmlStart = "<|im_start|>"
    private static let chatmlEnd = "<|im_end|>"

    /// The family whose markers `template` contains, or nil for an unknown format.
    public init?(template: String) {
        if template.contains(Self.chatmlStart) {
            self = .chatml(defaultSystem: Self.defaultSystemPrompt(in: template))
        } else if template.contains("<|start_header_id|>") {
            self = .llama3
        } else if template.contains("<start_of_turn>") {
            self = .gemma
        } else {
            return nil
        }
    }

    /// Texts that end the assistant's turn; generation stops when one appears.
    public var stopTexts: [String] {
        switch self {
        case .chatml: return [Self.chatmlEnd]
        case .llama3: return ["<|eot_id|>"]
        case .gemma: return ["<end_of_turn>"]
        }
    }

    /// The prompt for `messages`; `addGenerationPrompt` opens the assistant's turn at the end.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> String {
        var prompt = ""
        switch self {
        case .chatml(let defaultSystem):
            var turns = messages
            if let defaultSystem, let first = messages.first, first.role != "system" {
                turns.insert(ChatMessage(role: "system", content: defaultSystem), at: 0)
            }
            for message in turns {
                prompt += "\(Self.chatmlStart)\(message.role)\n\(message.content)\(Self.chatmlEnd)\n"
            }
            if addGenerationPrompt { prompt += "\(Self.chatmlStart)assistant\n" }
        case .llama3:
            for message in messages {
                prompt += "<|start_header_id|>\(message.role)<|end_header_id|>\n\n"
                prompt += "\(Self.trimmed(message.content))<|eot_id|>"
            }
            if addGenerationPrompt { prompt += "<|start_header_id|>assistant<|end_header_id|>\n\n" }
        case .gemma:
            var pendingSystem = ""
            for message in messages {
                if message.role == "system" {
                    pendingSystem += Self.trimmed(message.content)
                    continue
                }
                let role = message.role == "assistant" ? "model" : message.role
                prompt += "<start_of_turn>\(role)\n"
                if !pendingSystem.isEmpty && role != "model" {
                    prompt += pendingSystem + "\n\n"
                    pendingSystem = ""
                }
                prompt += "\(Self.trimmed(message.content))<end_of_turn>\n"
            }
            if addGenerationPrompt { prompt += "<start_of_turn>model\n" }
        }
        return prompt
    }

    /// The literal system prompt a ChatML template writes when the caller gave none: the text of a string
    /// literal `<|im_start|>system\n...<|im_end|>` (newline raw or escaped), skipping expressions.
    static func defaultSystemPrompt(in template: String) -> String? {
        let marker = "\(chatmlStart)system"
        var rest = template[...]
        while let markerRange = rest.range(of: marker) {
            rest = rest[markerRange.upperBound...]
            var body = rest
            if body.hasPrefix("\\n") {
                body = body.dropFirst(2)
            } else if body.hasPrefix("\n") {
                body = body.dropFirst()
            } else {
                continue
            }
            guard let endRange = body.range(of: chatmlEnd) else { return nil }
            let literal = body[..<endRange.lowerBound]
            // Quotes, braces or '+' mean the content is an expression (e.g. messages[0]['content']).
            if literal.isEmpty || literal.contains(where: { "'\"{}+".contains($0) }) { continue }
            return String(literal).replacing("\\n", with: "\n")
        }
        return nil
    }

    /// `content` without leading and trailing whitespace (Jinja's `trim`).
    static func trimmed(_ content: String) -> String {
        let scalars = content.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
