import Foundation
import Generation
import Hummingbird

extension MuseAPI {
    /// Legacy text completions: each prompt continued `n` times, choice index = prompt * n + i.
    func completions(_ request: CompletionRequest) async throws -> Response {
        let received = Date()
        try checkModel(request.model)
        let prompts = request.prompt.values
        guard !prompts.isEmpty, prompts.count <= RequestLimits.maxChoices else {
            throw APIError.badRequest("prompt must be a string or 1 to \(RequestLimits.maxChoices) strings", param: "prompt")
        }
        let topLogprobs = request.logprobs ?? 0
        guard (0...5).contains(topLogprobs) else { throw APIError.badRequest("logprobs must be between 0 and 5", param: "logprobs") }
        var jobs: [(prompt: [Int], text: String, validated: ValidatedRequest)] = []
        for text in prompts {
            let tokens = tokenizer.encode(text, addSpecial: true, parseSpecial: true)
            guard !tokens.isEmpty else { throw APIError.badRequest("prompt must not be empty", param: "prompt") }
            let validated = try request.sampling.validated(
                vocabularySize: tokenizer.vocabularySize, promptTokens: tokens.count, contextLength: scheduler.contextLength,
                logprobs: request.logprobs != nil, topLogprobs: topLogprobs, promptParam: "prompt")
            jobs.append((tokens, text, validated))
        }
        let choicesPerPrompt = jobs[0].validated.choices
        guard prompts.count * choicesPerPrompt <= RequestLimits.maxChoices else {
            throw APIError.badRequest("at most \(RequestLimits.maxChoices) choices per request", param: "n")
        }
        var queued: [AsyncThrowingStream<GenerationEvent, any Error>] = []
        for job in jobs {
            for i in 0..<choicesPerPrompt {
                queued.append(try scheduler.generate(prompt: job.prompt, options: job.validated.options(forChoice: i)))
            }
        }
        let streams = queued
        let id = Self.requestID("cmpl"), created = Int(Date().timeIntervalSince1970)
        let echo = request.echo ?? false
        let promptTokens = jobs.reduce(0) { $0 + $1.prompt.count }
        let echoes = jobs.flatMap { job in Array(repeating: echo ? job.text : "", count: choicesPerPrompt) }
        if jobs[0].validated.stream {
            let includeUsage = jobs[0].validated.includeUsage
            let body = ResponseBody { writer in
                var completionTokens = 0, cached = 0
                do {
                    for (index, stream) in streams.enumerated() {
                        if !echoes[index].isEmpty { try await writer.write(Self.event(self.textChunk(id, created, index, echoes[index], nil))) }
                        for try await event in stream {
                            switch event {
                            case .token(let token):
                                if completionTokens == 0 { self.metrics.recordFirstToken(seconds: Date().timeIntervalSince(received)) }
                                completionTokens += token.id >= 0 ? 1 : 0
                                try await writer.write(Self.event(self.textChunk(id, created, index, token.text, nil)))
                            case .finished(let result):
                                if index % choicesPerPrompt == 0 { cached += result.cachedPromptTokens }  // once per prompt
                                self.metrics.recordTokens(prompt: result.promptTokens, cached: result.cachedPromptTokens,
                                                          completion: result.tokens.count)
                                try await writer.write(Self.event(self.textChunk(id, created, index, "", Self.finishReason(result.finishReason))))
                            }
                        }
                    }
                    if includeUsage {
                        let usage = Usage(prompt: promptTokens, completion: completionTokens, cached: cached)
                        try await writer.write(Self.event(TextCompletion(id: id, created: created, model: self.settings.modelID,
                                                                         system_fingerprint: self.settings.fingerprint,
                                                                         choices: [], usage: usage)))
                    }
                } catch let error as APIError {
                    try await writer.write(ByteBuffer(string: "data: \(String(decoding: error.body, as: UTF8.self))\n\n"))
                }
                try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: Self.eventStreamHeaders, body: body)
        }
        var choices: [TextCompletion.Choice] = []
        var completionTokens = 0, cached = 0
        for (index, stream) in streams.enumerated() {
            let collected = try await collect(stream, since: received)
            completionTokens += collected.events.count
            if index % choicesPerPrompt == 0 { cached += collected.result?.cachedPromptTokens ?? 0 }  // once per prompt
            let logprobs = request.logprobs == nil ? nil : legacyLogprobs(collected.events, offset: echoes[index].utf8.count)
            choices.append(.init(index: index, text: echoes[index] + collected.text, logprobs: logprobs,
                                 finish_reason: Self.finishReason(collected.result?.finishReason ?? .stop)))
        }
        return json(TextCompletion(id: id, created: created, model: settings.modelID, system_fingerprint: settings.fingerprint,
                                   choices: choices, usage: Usage(prompt: promptTokens, completion: completionTokens, cached: cached)))
    }

    private func textChunk(_ id: String, _ created: Int, _ index: Int, _ text: String, _ finish: String?) -> TextCompletion {
        TextCompletion(id: id, created: created, model: settings.modelID, system_fingerprint: settings.fingerprint,
                       choices: [.init(index: index, text: text, logprobs: nil, finish_reason: finish)], usage: nil)
    }

    private func legacyLogprobs(_ events: [TokenEvent], offset: Int) -> TextCompletion.Logprobs {
        var tokens: [String] = [], logprobs: [Float] = [], tops: [[String: Float]] = [], offsets: [Int] = []
        var position = offset
        for event in events {
            let text = tokenizer.decode([event.id], decodeSpecial: true)
            tokens.append(text)
            logprobs.append(event.logprob ?? 0)
            var top: [String: Float] = [:]
            for alt in event.topLogprobs { top[tokenizer.decode([alt.id], decodeSpecial: true)] = alt.logprob }
            tops.append(top)
            offsets.append(position)
            position += text.utf8.count
        }
        return .init(tokens: tokens, token_logprobs: logprobs, top_logprobs: tops, text_offset: offsets)
    }
}
