import Foundation
import Generation
import Hummingbird
import Tokenization

/// Thinking and Contemplating: the model reasons first (after a "Reasoning:" cue, up to the
/// budget, stopping at "Answer:"), then the answer is asked for after "Answer:" on the same
/// context, so the KV of the reasoning is reused. Contemplating draws several such answers in
/// one batch (each a scheduler job with its own seed) and returns the one most agree on.
extension MuseAPI {
    static let reasoningCue = "Reasoning:"
    static let answerCue = "Answer:"

    func reasonedCompletion(_ request: ChatCompletionRequest, mode: ChatMode) async throws -> Response {
        let received = Date()
        if request.tools?.isEmpty == false || (request.response_format?.type ?? "text") != "text" {
            throw APIError.badRequest("mode \(mode.rawValue) answers in text: leave out tools and response_format", param: "mode")
        }
        guard request.logprobs != true else { throw APIError.badRequest("logprobs are not given in mode \(mode.rawValue)", param: "logprobs") }
        let budget = request.reasoning_budget ?? settings.reasoning.budget
        guard ReasoningSettings.budgetRange.contains(budget) else {
            throw APIError.badRequest("reasoning_budget must be in \(ReasoningSettings.budgetRange)", param: "reasoning_budget")
        }
        let samples = mode == .contemplating ? request.contemplation_samples ?? settings.reasoning.samples : 1
        guard mode != .contemplating || ReasoningSettings.samplesRange.contains(samples) else {
            throw APIError.badRequest("contemplation_samples must be in \(ReasoningSettings.samplesRange)", param: "contemplation_samples")
        }
        let base = try renderedPrompt(for: request.messages, mode: mode)
        let first = tokenizer.encode(base + Self.reasoningCue, addSpecial: true, parseSpecial: true)
        var validated = try request.sampling.validated(
            vocabularySize: tokenizer.vocabularySize, promptTokens: first.count + budget,
            contextLength: scheduler.contextLength, logprobs: false, topLogprobs: 0)
        guard validated.choices == 1 else { throw APIError.badRequest("n must be 1 in mode \(mode.rawValue)", param: "n") }
        if mode == .contemplating, request.sampling.temperature.map({ $0 == 0 }) ?? true {
            validated.options.sampling.temperature = ReasoningSettings.contemplationTemperature
        }
        let id = Self.requestID("chatcmpl"), created = Int(Date().timeIntervalSince1970)
        if validated.stream, mode == .thinking {
            return streamThinking(base: base, options: validated.options, budget: budget, id: id, created: created,
                                  includeUsage: validated.includeUsage, promptTokens: first.count, received: received)
        }
        let answers = try await withThrowingTaskGroup(of: (Int, ReasonedAnswer).self) { group in
            for index in 0..<samples {
                let options = validated.options(forChoice: index)
                group.addTask { (index, try await self.reason(base: base, options: options, budget: budget, received: received)) }
            }
            var answers = [ReasonedAnswer](repeating: ReasonedAnswer(), count: samples)
            for try await (index, answer) in group { answers[index] = answer }
            return answers
        }
        let vote = AnswerVote.winner(answers.map(\.answer))
        let chosen = answers[vote.index]
        var message = ChatCompletion.Message(role: "assistant", content: chosen.answer)
        message.reasoning_content = chosen.reasoning
        if mode == .contemplating {
            message.contemplation = Contemplation(samples: samples, agreeing: vote.agreeing, answers: answers.map(\.answer))
        }
        let reasoningTokens = answers.reduce(0) { $0 + $1.reasoningTokens }
        let usage = Usage(prompt: first.count, completion: answers.reduce(reasoningTokens) { $0 + $1.answerTokens },
                          cached: answers[0].cachedTokens, reasoning: reasoningTokens)
        let finish = Self.finishReason(chosen.finish)
        guard validated.stream else {
            return json(ChatCompletion(id: id, created: created, model: settings.modelID, system_fingerprint: settings.fingerprint,
                                       choices: [.init(index: 0, message: message, logprobs: nil, finish_reason: finish)], usage: usage))
        }
        // Contemplating streams once the vote is in: the reasoning, the answer, the finish.
        let deltas: [ChatCompletionChunk.Delta] = [
            .init(role: "assistant", content: ""), .init(reasoning_content: chosen.reasoning),
            .init(content: chosen.answer, contemplation: message.contemplation),
        ]
        let includeUsage = validated.includeUsage
        return eventStream(id: id, created: created) { send in
            for delta in deltas { try await send(.init(index: 0, delta: delta, logprobs: nil, finish_reason: nil), nil) }
            try await send(.init(index: 0, delta: .init(), logprobs: nil, finish_reason: finish), nil)
            if includeUsage { try await send(nil, usage) }
        }
    }

    /// One reasoned answer; `onText` sees the reasoning (true) and answer (false) text as it comes.
    func reason(base: String, options: GenerationOptions, budget: Int, received: Date,
                onText: (String, Bool) async throws -> Void = { _, _ in }) async throws -> ReasonedAnswer {
        var answer = ReasonedAnswer()
        var thinking = options
        thinking.maxTokens = budget
        // A small model tends to start another "Reasoning:" round instead of answering.
        thinking.stopStrings = [Self.answerCue, "\n" + Self.reasoningCue]
        // Evaluated whole, like the answer step: a prompt resumed from a slot's cache can differ in
        // its last bits (its last token re-evaluated alone), and seeded draws must not.
        thinking.reuseCachedPrefix = false
        let first = tokenizer.encode(base + Self.reasoningCue, addSpecial: true, parseSpecial: true)
        for try await event in try scheduler.generate(prompt: first, options: thinking) {
            switch event {
            case .token(let token):
                if answer.reasoning.isEmpty, token.id >= 0 { metrics.recordFirstToken(seconds: Date().timeIntervalSince(received)) }
                answer.reasoning += token.text
                try await onText(token.text, true)
            case .finished(let result):
                answer.reasoningTokens = result.tokens.count
                answer.cachedTokens = result.cachedPromptTokens
                metrics.recordTokens(prompt: result.promptTokens, cached: result.cachedPromptTokens, completion: result.tokens.count)
                if result.finishReason == .cancelled { throw APIError.clientClosedRequest }
            }
        }
        // Whether the reasoning ended by itself or hit the budget, the answer is asked for now.
        let separator = answer.reasoning.hasSuffix("\n") ? "" : "\n"
        let second = tokenizer.encode(base + Self.reasoningCue + answer.reasoning + separator + Self.answerCue,
                                      addSpecial: true, parseSpecial: true)
        let room = scheduler.contextLength - second.count
        guard room >= 1 else {
            throw APIError.badRequest("the reasoning filled the context; lower reasoning_budget", param: "reasoning_budget",
                                      code: "context_length_exceeded")
        }
        var answering = options
        answering.maxTokens = min(options.maxTokens, room)
        answering.stopStrings += ["\n" + Self.reasoningCue, "\n" + Self.answerCue]
        // The answer prompt holds the generated reasoning: from the cache it would mix tokens
        // computed while generating with tokens computed as a prompt, and a seeded answer would
        // then depend on what the slot held. Evaluated whole, the same request answers the same.
        answering.reuseCachedPrefix = false
        for try await event in try scheduler.generate(prompt: second, options: answering) {
            switch event {
            case .token(let token):
                // The model starts its answer with the space after "Answer:".
                let text = answer.answer.isEmpty ? String(token.text.drop { $0 == " " }) : token.text
                answer.answer += text
                if !text.isEmpty { try await onText(text, false) }
            case .finished(let result):
                answer.answerTokens = result.tokens.count
                answer.finish = result.finishReason
                metrics.recordTokens(prompt: result.promptTokens, cached: result.cachedPromptTokens, completion: result.tokens.count)
                if result.finishReason == .cancelled { throw APIError.clientClosedRequest }
            }
        }
        answer.reasoning = answer.reasoning.trimmingCharacters(in: .whitespacesAndNewlines)
        answer.answer = answer.answer.trimmingCharacters(in: .whitespacesAndNewlines)
        return answer
    }

    private func streamThinking(base: String, options: GenerationOptions, budget: Int, id: String, created: Int,
                                includeUsage: Bool, promptTokens: Int, received: Date) -> Response {
        eventStream(id: id, created: created) { send in
            try await send(.init(index: 0, delta: .init(role: "assistant", content: ""), logprobs: nil, finish_reason: nil), nil)
            let answer = try await self.reason(base: base, options: options, budget: budget, received: received) { text, isReasoning in
                let delta: ChatCompletionChunk.Delta = isReasoning ? .init(reasoning_content: text) : .init(content: text)
                try await send(.init(index: 0, delta: delta, logprobs: nil, finish_reason: nil), nil)
            }
            try await send(.init(index: 0, delta: .init(), logprobs: nil, finish_reason: Self.finishReason(answer.finish)), nil)
            if includeUsage {
                try await send(nil, Usage(prompt: promptTokens, completion: answer.reasoningTokens + answer.answerTokens,
                                          cached: answer.cachedTokens, reasoning: answer.reasoningTokens))
            }
        }
    }

    /// A server-sent event stream of chat chunks written by `body`, ended with `[DONE]`; an API
    /// error on the way becomes an error event.
    func eventStream(id: String, created: Int,
                     _ body: @escaping @Sendable (_ send: (ChatCompletionChunk.Choice?, Usage?) async throws -> Void) async throws -> Void)
        -> Response {
        let response = ResponseBody { writer in
            do {
                try await body { choice, usage in
                    let chunk = ChatCompletionChunk(id: id, created: created, model: self.settings.modelID,
                                                    system_fingerprint: self.settings.fingerprint,
                                                    choices: choice.map { [$0] } ?? [], usage: usage)
                    try await writer.write(Self.event(chunk))
                }
            } catch let error as APIError {
                try await writer.write(ByteBuffer(string: "data: \(String(decoding: error.body, as: UTF8.self))\n\n"))
            }
            try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: Self.eventStreamHeaders, body: response)
    }
}
