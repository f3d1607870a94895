import Foundation
import Generation

/// A request's generation settings, checked.
struct ValidatedRequest: Sendable {
    var options: GenerationOptions
    let choices: Int
    let stream: Bool
    let includeUsage: Bool
}

/// The bounds the API accepts (OpenAI's where it has them).
enum RequestLimits {
    static let temperature = 0.0...2.0
    static let penalty = -2.0...2.0
    static let logitBias = -100.0...100.0
    static let maxChoices = 8
    static let maxStops = 4
    static let maxTopLogprobs = 20
}

extension SamplingFields {
    /// Options for one choice; choice i of several samples with seed + i.
    /// `promptParam` names the field a too long prompt came in (`messages` or `prompt`).
    func validated(vocabularySize: Int, promptTokens: Int, contextLength: Int, logprobs: Bool,
                   topLogprobs: Int, promptParam: String = "messages") throws(APIError) -> ValidatedRequest {
        var sampling = SamplingParameters()
        if let t = temperature {
            guard RequestLimits.temperature.contains(t) else { throw .badRequest("temperature must be between 0 and 2", param: "temperature") }
            sampling.temperature = Float(t)
        }
        if let p = top_p {
            guard p > 0, p <= 1 else { throw .badRequest("top_p must be in (0, 1]", param: "top_p") }
            sampling.topP = Float(p)
        }
        if let k = top_k {
            guard k >= 0 else { throw .badRequest("top_k must not be negative", param: "top_k") }
            sampling.topK = k
        }
        if let m = min_p {
            guard (0.0...1.0).contains(m) else { throw .badRequest("min_p must be between 0 and 1", param: "min_p") }
            sampling.minP = Float(m)
        }
        for (value, name) in [(presence_penalty, "presence_penalty"), (frequency_penalty, "frequency_penalty")] {
            if let v = value, !RequestLimits.penalty.contains(v) { throw .badRequest("\(name) must be between -2 and 2", param: name) }
        }
        sampling.presencePenalty = Float(presence_penalty ?? 0)
        sampling.frequencyPenalty = Float(frequency_penalty ?? 0)
        if let r = repetition_penalty {
            guard r > 0 else { throw .badRequest("repetition_penalty must be positive", param: "repetition_penalty") }
            sampling.repetitionPenalty = Float(r)
        }
        for (key, bias) in logit_bias ?? [:] {
            guard let id = Int(key), id >= 0, id < vocabularySize else {
                throw .badRequest("logit_bias key \(key) is not a token id of this model", param: "logit_bias")
            }
            guard RequestLimits.logitBias.contains(bias) else { throw .badRequest("logit_bias values must be between -100 and 100", param: "logit_bias") }
            sampling.logitBias[id] = Float(bias)
        }
        sampling.seed = seed.map { UInt64(bitPattern: $0) } ?? UInt64.random(in: 0...UInt64.max)

        let choices = n ?? 1
        guard (1...RequestLimits.maxChoices).contains(choices) else {
            throw .badRequest("n must be between 1 and \(RequestLimits.maxChoices)", param: "n")
        }
        let stops = stop?.values ?? []
        guard stops.count <= RequestLimits.maxStops, !stops.contains("") else {
            throw .badRequest("stop takes up to \(RequestLimits.maxStops) non-empty strings", param: "stop")
        }
        guard (0...RequestLimits.maxTopLogprobs).contains(topLogprobs) else {
            throw .badRequest("top_logprobs must be between 0 and \(RequestLimits.maxTopLogprobs)", param: "top_logprobs")
        }
        guard promptTokens < contextLength else {
            throw .badRequest("the prompt is \(promptTokens) tokens; this server's context holds \(contextLength)",
                              param: promptParam, code: "context_length_exceeded")
        }
        let room = contextLength - promptTokens
        let requested = max_completion_tokens ?? max_tokens
        if let requested, requested < 1 {
            throw .badRequest("max_tokens must be at least 1", param: max_completion_tokens != nil ? "max_completion_tokens" : "max_tokens")
        }
        let options = GenerationOptions(maxTokens: min(requested ?? room, room), sampling: sampling, stopStrings: stops,
                                        logprobs: logprobs, topLogprobs: topLogprobs)
        return ValidatedRequest(options: options, choices: choices, stream: stream ?? false,
                                includeUsage: stream_options?.include_usage ?? false)
    }
}

extension ValidatedRequest {
    /// The options of choice `index`: the same but for the seed, so choices differ and repeat.
    func options(forChoice index: Int) -> GenerationOptions {
        var options = self.options
        options.sampling.seed = options.sampling.seed &+ UInt64(index)
        return options
    }
}
