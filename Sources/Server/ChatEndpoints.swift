import Foundation
import Generation
import Hummingbird
import Models
import Shopping
import Tokenization

extension MuseAPI {
    /// The conversation as the model's chat template renders it, then tokenized.
    /// With `tools`, their description and the reply format join the system prompt; so does a mode's text.
    func promptTokens(for messages: [ChatCompletionRequest.Message], tools: ToolPlan? = nil,
                      mode: ChatMode? = nil) throws(APIError) -> [Int] {
        tokenizer.encode(try renderedPrompt(for: messages, tools: tools, mode: mode), addSpecial: true, parseSpecial: true)
    }

    /// `promptTokens` with images: each image marker left by `encodingImages` becomes its chunk's
    /// rows, which `splicing` supplies.
    func promptTokens(for messages: [ChatCompletionRequest.Message], images: [EmbeddingChunk], tools: ToolPlan?,
                      mode: ChatMode?) throws(APIError) -> (tokens: [Int], splicing: PromptEmbeddings) {
        guard let nativeVision, !images.isEmpty else { return (try promptTokens(for: messages, tools: tools, mode: mode), PromptEmbeddings()) }
        let rendered = try renderedPrompt(for: messages, tools: tools, mode: mode)
        return (try nativeVision.tokens(of: rendered, images: images, tokenizer: tokenizer), PromptEmbeddings(images))
    }

    func renderedPrompt(for messages: [ChatCompletionRequest.Message], tools: ToolPlan? = nil,
                        mode: ChatMode? = nil) throws(APIError) -> String {
        guard let template = tokenizer.chatTemplate else {
            throw .badRequest("model '\(settings.modelID)' has no chat template; use /v1/completions", param: "messages")
        }
        guard !messages.isEmpty else { throw .badRequest("messages must not be empty", param: "messages") }
        var rendered: [ChatMessage] = []
        for (index, message) in messages.enumerated() {
            let role: String
            switch message.role {
            case "system", "developer": role = "system"
            case "user", "assistant", "tool": role = message.role
            default: throw .badRequest("messages[\(index)].role '\(message.role)' is not one of system, developer, user, assistant, tool", param: "messages")
            }
            if case .parts(let parts) = message.content, let other = parts.first(where: { $0.type != "text" }) {
                throw .badRequest("messages[\(index)]: content parts of type '\(other.type)' are not supported yet", param: "messages")
            }
            rendered.append(ChatMessage(role: role, content: message.renderedContent(history: messages)))
        }
        for addition in [mode?.systemText, tools?.systemText].compactMap({ $0 }) {
            if rendered[0].role == "system" { rendered[0].content += "\n\n" + addition }
            else { rendered.insert(ChatMessage(role: "system", content: addition), at: 0) }
        }
        return template.render(rendered, addGenerationPrompt: true)
    }

    func chatCompletions(_ request: ChatCompletionRequest) async throws -> Response {
        let received = Date()
        let (model, mode) = try ChatMode.split(model: request.model, field: request.mode)
        try checkModel(model)
        var request = request
        var images: [EmbeddingChunk] = []
        // The modes that answer in one generation take the images natively; the others (reasoning
        // passes, the shopping planner) read the OCR/tagger observation.
        if let nativeVision, mode == nil || mode == .instant || mode == .health {
            (request.messages, images) = try await encodingImages(request.messages, with: nativeVision)
        } else {
            request.messages = try await perceivingImages(request.messages)
        }
        switch mode {
        case .thinking, .contemplating: return try await reasonedCompletion(request, mode: mode ?? .thinking)
        case .shopping: return try await shoppingAnswer(request)
        case .health:
            if HealthGuard.extremeDietReason(request.messages.last { $0.role == "user" }?.content?.text ?? "") != nil {
                return cannedAnswer(HealthGuard.refusal, stream: request.sampling.stream ?? false)
            }
        case .instant, nil: break
        }
        let tools = try ToolPlan(tools: request.tools, choice: request.tool_choice, parallel: request.parallel_tool_calls ?? true)
        let (prompt, splicing) = try promptTokens(for: request.messages, images: images, tools: tools, mode: mode)
        let topLogprobs = request.top_logprobs ?? 0
        if topLogprobs > 0, request.logprobs != true {
            throw APIError.badRequest("top_logprobs requires logprobs: true", param: "top_logprobs")
        }
        var validated = try request.sampling.validated(
            vocabularySize: tokenizer.vocabularySize, promptTokens: prompt.count,
            contextLength: scheduler.contextLength, logprobs: request.logprobs ?? false, topLogprobs: topLogprobs)
        try Self.apply(request.response_format, to: &validated.options, tools: tools)
        if mode == .instant, request.sampling.max_tokens == nil, request.sampling.max_completion_tokens == nil {
            validated.options.maxTokens = min(validated.options.maxTokens, Self.instantMaxTokens)
        }
        let prefix = mode == .health ? HealthGuard.framing + "\n\n" : ""
        // Every choice is queued now, so a full queue is a 503 before any byte is sent.
        let streams = try (0..<validated.choices).map { index throws(APIError) in
            try scheduler.generate(prompt: prompt, splicing: splicing, options: validated.options(forChoice: index))
        }
        let id = Self.requestID("chatcmpl"), created = Int(Date().timeIntervalSince1970)
        if validated.stream {
            return streamChat(streams, id: id, created: created, promptTokens: prompt.count, request: validated,
                              tools: tools, prefix: prefix, received: received)
        }
        var choices: [ChatCompletion.Choice] = []
        var completionTokens = 0, cached = 0
        for (index, stream) in streams.enumerated() {
            let collected = try await collect(stream, since: received)
            completionTokens += collected.events.count
            if index == 0 { cached = collected.result?.cachedPromptTokens ?? 0 }
            let logprobs = validated.options.logprobs ? ChoiceLogprobs(content: collected.events.map(logprobEntry)) : nil
            var message = ChatCompletion.Message(role: "assistant", content: prefix + collected.text)
            var finish = Self.finishReason(collected.result?.finishReason ?? .stop)
            if tools != nil { (message, finish) = ToolAnswer.message(for: collected.text, finishReason: finish) }
            choices.append(.init(index: index, message: message, logprobs: logprobs, finish_reason: finish))
        }
        return json(ChatCompletion(id: id, created: created, model: settings.modelID,
                                   system_fingerprint: settings.fingerprint, choices: choices,
                                   usage: Usage(prompt: prompt.count, completion: completionTokens, cached: cached)))
    }

    private func streamChat(_ streams: [AsyncThrowingStream<GenerationEvent, any Error>], id: String, created: Int,
                            promptTokens: Int, request: ValidatedRequest, tools: ToolPlan?, prefix: String,
                            received: Date) -> Response {
        let body = ResponseBody { writer in
            var completionTokens = 0, cached = 0
            func send(_ choice: ChatCompletionChunk.Choice?, usage: Usage? = nil) async throws {
                let chunk = ChatCompletionChunk(id: id, created: created, model: self.settings.modelID,
                                                system_fingerprint: self.settings.fingerprint,
                                                choices: choice.map { [$0] } ?? [], usage: usage)
                try await writer.write(Self.event(chunk))
            }
            do {
                for (index, stream) in streams.enumerated() {
                    // A tool answer is held back until it parses (text or calls): no content yet.
                    try await send(.init(index: index, delta: .init(role: "assistant", content: tools == nil ? prefix : nil),
                                         logprobs: nil, finish_reason: nil))
                    var held = ""
                    for try await event in stream {
                        switch event {
                        case .token(let token):
                            if completionTokens == 0 { self.metrics.recordFirstToken(seconds: Date().timeIntervalSince(received)) }
                            completionTokens += token.id >= 0 ? 1 : 0  // id -1: text held back until the end
                            if tools != nil {
                                held += token.text
                                continue
                            }
                            let logprobs = request.options.logprobs && token.id >= 0
                                ? ChoiceLogprobs(content: [self.logprobEntry(token)]) : nil
                            try await send(.init(index: index, delta: .init(content: token.text), logprobs: logprobs, finish_reason: nil))
                        case .finished(let result):
                            if index == 0 { cached = result.cachedPromptTokens }
                            self.metrics.recordTokens(prompt: result.promptTokens, cached: result.cachedPromptTokens,
                                                      completion: result.tokens.count)
                            var finish = Self.finishReason(result.finishReason)
                            if tools != nil {
                                let answer = ToolAnswer.deltas(for: held, finishReason: finish)
                                for delta in answer.deltas { try await send(.init(index: index, delta: delta, logprobs: nil, finish_reason: nil)) }
                                finish = answer.finishReason
                            }
                            try await send(.init(index: index, delta: .init(), logprobs: nil, finish_reason: finish))
                        }
                    }
                }
                if request.includeUsage {
                    try await send(nil, usage: Usage(prompt: promptTokens, completion: completionTokens, cached: cached))
                }
            } catch let error as APIError {
                try await writer.write(ByteBuffer(string: "data: \(String(decoding: error.body, as: UTF8.self))\n\n"))
            }
            try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: Self.eventStreamHeaders, body: body)
    }

    /// Instant's answer length when the request sets none.
    public static let instantMaxTokens = 160

    /// An answer written without the model (Health's refusal, Shopping's catalogue answer with its
    /// cards), in the shape the request asked for.
    func cannedAnswer(_ text: String, stream: Bool, products: [ProductCard]? = nil) -> Response {
        let id = Self.requestID("chatcmpl"), created = Int(Date().timeIntervalSince1970)
        guard stream else {
            let message = ChatCompletion.Message(role: "assistant", content: text, shopping_products: products)
            return json(ChatCompletion(id: id, created: created, model: settings.modelID, system_fingerprint: settings.fingerprint,
                                       choices: [.init(index: 0, message: message, logprobs: nil, finish_reason: "stop")],
                                       usage: Usage(prompt: 0, completion: 0, cached: 0)))
        }
        return eventStream(id: id, created: created) { send in
            try await send(.init(index: 0, delta: .init(role: "assistant", content: text, shopping_products: products), logprobs: nil,
                                 finish_reason: nil), nil)
            try await send(.init(index: 0, delta: .init(), logprobs: nil, finish_reason: "stop"), nil)
        }
    }

    /// `response_format`: text, any JSON object, or a value of the given JSON schema.
    static func apply(_ format: ResponseFormat?, to options: inout GenerationOptions, tools: ToolPlan?) throws(APIError) {
        let type = format?.type ?? "text"
        guard type == "text" || tools == nil else {
            throw .badRequest("response_format \(type) cannot be combined with tools; use tool_choice none", param: "response_format")
        }
        switch type {
        case "text": break
        case "json_object": options.jsonObject = true
        case "json_schema":
            guard let spec = format?.json_schema, let schema = spec.schema else {
                throw .badRequest("response_format json_schema needs json_schema.schema", param: "response_format")
            }
            guard let name = spec.name, !name.isEmpty else {
                throw .badRequest("response_format json_schema needs json_schema.name", param: "response_format")
            }
            do { options.jsonSchema = try JSONSchema(schema) } catch {
                throw .badRequest("response_format json_schema '\(name)': \(error)", param: "response_format")
            }
        default:
            throw .badRequest("response_format type '\(type)' is not one of text, json_object, json_schema", param: "response_format")
        }
        if let tools { options.jsonSchema = tools.schema }
    }

    static let eventStreamHeaders: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]

    static func event(_ value: some Encodable) -> ByteBuffer {
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        var buffer = ByteBuffer(string: "data: ")
        buffer.writeBytes(data)
        buffer.writeString("\n\n")
        return buffer
    }

    func tokenize(_ request: TokenizeRequest) async throws -> Response {
        let tokens: [Int]
        if let messages = request.messages, let nativeVision {
            let (encoded, images) = try await encodingImages(messages, with: nativeVision)
            tokens = try promptTokens(for: encoded, images: images, tools: nil, mode: nil).tokens
        } else if let messages = request.messages {
            tokens = try promptTokens(for: try await perceivingImages(messages))
        } else if let prompt = request.prompt {
            tokens = tokenizer.encode(prompt, addSpecial: request.add_special ?? false, parseSpecial: true)
        } else {
            throw APIError.badRequest("give either prompt or messages", param: "prompt")
        }
        struct Tokens: Encodable { let tokens: [Int]; let count: Int; let max_model_len: Int }
        return json(Tokens(tokens: tokens, count: tokens.count, max_model_len: scheduler.contextLength))
    }
}
