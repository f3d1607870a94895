import Foundation
import Models
import Tokenization

/// How to generate: sampling, limits and stop conditions.
public struct GenerationOptions: Sendable {
    public var maxTokens: Int
    public var sampling: SamplingParameters
    /// Generation ends before any of these strings; the stop string itself is not returned.
    public var stopStrings: [String]
    /// Token ids that end generation, besides the model's end-of-generation tokens.
    public var stopTokens: Set<Int>
    /// How many most likely alternatives to report per generated token (0: none).
    public var topLogprobs: Int
    /// Whether to report the chosen token's log-probability.
    public var logprobs: Bool
    /// Constrain the output to one JSON object (OpenAI's `response_format: json_object`):
    /// only tokens continuing a valid JSON prefix are sampled, and generation ends when it closes.
    public var jsonObject = false
    /// Constrain the output to one value valid against this schema (`response_format:
    /// json_schema`, tool calls); generation ends when the top-level value closes. Wins over
    /// `jsonObject`.
    public var jsonSchema: JSONSchema?
    /// Whether the prompt may start from a prefix already in the sequence's cache. A token cached
    /// while it was generated can differ in its last bits from the same token evaluated in a
    /// prompt; a prompt that must give the same answer every time (the reasoning modes' answer
    /// step, which holds generated text) is evaluated from the start instead.
    public var reuseCachedPrefix = true

    public init(maxTokens: Int = 256, sampling: SamplingParameters = SamplingParameters(),
                stopStrings: [String] = [], stopTokens: Set<Int> = [], logprobs: Bool = false, topLogprobs: Int = 0) {
        self.maxTokens = maxTokens
        self.sampling = sampling
        self.stopStrings = stopStrings
        self.stopTokens = stopTokens
        self.logprobs = logprobs
        self.topLogprobs = topLogprobs
    }
}

public enum FinishReason: String, Sendable {
    case stop            // an end-of-generation token or a stop string
    case length          // maxTokens reached
    case contextFull     // the session's context is full
    case cancelled       // the caller asked to stop
}

/// One generated token as it streams out.
public struct TokenEvent: Sendable {
    public let id: Int
    /// Text that became safe to show with this token (complete UTF-8, not part of a possible stop string).
    public let text: String
    public let logprob: Float?
    public let topLogprobs: [TokenLogprob]
}

public struct TokenLogprob: Sendable, Equatable {
    public let id: Int
    public let logprob: Float
}

public struct GenerationResult: Sendable {
    public let text: String
    public let tokens: [Int]
    public let promptTokens: Int
    public let cachedPromptTokens: Int
    public let finishReason: FinishReason
    public let promptSeconds: Double
    public let generationSeconds: Double
}

/// A sequence being generated: the model's session plus the tokens in its cache, so a new
/// prompt that extends the previous one (chat history) only evaluates what is new.
/// It also keeps the logits that followed the last prompt, so the same prompt again (several
/// choices, a repeated request) starts from exactly the numbers a cold start computes: the
/// last prompt token re-evaluated alone would round differently from inside its batch.
public final class GenerationSession {
    public let session: InferenceSession
    public private(set) var tokens: [Int] = []
    private var promptLength = 0                              // 0: no saved prompt logits
    private let promptLogits: UnsafeMutableBufferPointer<Float>  // [vocab], after tokens[..<promptLength]

    public init(model: any LanguageModel, contextLength: Int, batchSize: Int = 256) throws(GenerationError) {
        do { session = try model.makeSession(contextLength: contextLength, batchSize: batchSize, logitRows: 1) }
        catch { throw .model(error) }
        promptLogits = .allocate(capacity: model.info.vocabularySize)
    }

    deinit { promptLogits.deallocate() }

    /// Keeps the longest cached prefix of `prompt` (at least one token is re-evaluated, since its
    /// logits are needed, unless they were saved for exactly this prompt) and returns how many
    /// tokens were reused, with the saved logits when the whole prompt was.
    func reuse(prefixOf prompt: [Int]) -> (count: Int, logits: UnsafeMutableBufferPointer<Float>?) {
        if promptLength == prompt.count, tokens.count >= prompt.count, tokens[..<prompt.count].elementsEqual(prompt) {
            session.rewind(to: prompt.count)
            tokens.removeSubrange(prompt.count...)
            return (prompt.count, promptLogits)
        }
        var common = 0
        while common < min(tokens.count, prompt.count - 1), tokens[common] == prompt[common] { common += 1 }
        session.rewind(to: common)
        tokens.removeSubrange(common...)
        if promptLength > common { promptLength = 0 }
        return (common, nil)
    }

    /// Empties the cache, so the next prompt is evaluated from its first token.
    func forgetCache() -> (count: Int, logits: UnsafeMutableBufferPointer<Float>?) {
        session.rewind(to: 0)
        tokens.removeAll()
        promptLength = 0
        return (0, nil)
    }

    /// Records the last part of a prompt, just evaluated into the session by the caller, and the
    /// logits after it (before sampling alters them).
    public func promptEvaluated(_ tokens: [Int], logits row: UnsafeMutableBufferPointer<Float>, promptLength length: Int) {
        append(tokens)
        savePromptLogits(row, promptLength: length)
    }

    func savePromptLogits(_ row: UnsafeMutableBufferPointer<Float>, promptLength length: Int) {
        guard row.count == promptLogits.count, let source = row.baseAddress, let target = promptLogits.baseAddress else { return }
        target.update(from: source, count: row.count)
        promptLength = length
    }

    /// Records tokens the caller evaluated into this session (a continuously batched decode step).
    public func append(_ new: [Int]) { tokens.append(contentsOf: new) }

    public func reset() {
        session.rewind(to: 0)
        tokens.removeAll()
        promptLength = 0
    }
}

/// Runs the decode loop: prompt prefill in batches, then one token at a time, streaming text.
public struct TextGenerator {
    public let model: any LanguageModel
    public let tokenizer: Tokenizer

    public init(model: any LanguageModel, tokenizer: Tokenizer) {
        self.model = model
        self.tokenizer = tokenizer
    }

    /// `onToken` returns false to cancel. Negative ids in `prompt` are rows of `splicing` (an
    /// image's embeddings; see `EmbeddingChunk`), cached and reused like tokens.
    public func generate(prompt: [Int], splicing: PromptEmbeddings = PromptEmbeddings(), in sequence: GenerationSession,
                         options: GenerationOptions,
                         onToken: (TokenEvent) -> Bool = { _ in true }) throws(GenerationError) -> GenerationResult {
        var (state, first) = try begin(prompt: prompt, splicing: splicing, in: sequence, options: options)
        defer { first.release() }
        var row = first.row
        while true {
            let step = state.step(logits: row, history: sequence.tokens)
            if let event = step.event, !onToken(event) { state.cancel() }
            guard let next = state.nextToken(after: step, position: sequence.session.position) else { break }
            do { row = try model.evaluate([next], in: sequence.session, logits: .last).row(0) } catch { throw .model(error) }
            sequence.append([next])
        }
        if let event = state.flush() { _ = onToken(event) }
        return state.result()
    }

    /// Prefills `prompt` (reusing the session's cached prefix) and returns the decode state with
    /// the logits of the first token to choose.
    public func begin(prompt: [Int], splicing: PromptEmbeddings = PromptEmbeddings(), in sequence: GenerationSession,
                      options: GenerationOptions) throws(GenerationError) -> (DecodeState, PromptLogits) {
        var prepared = try prepare(prompt: prompt, in: sequence, options: options)
        if let saved = prepared.saved { return (prepared.state, saved) }
        let row: UnsafeMutableBufferPointer<Float>
        do { row = try model.evaluate(prepared.pending, splicing: splicing, in: sequence.session, logits: .last).row(0) }
        catch { throw .model(error) }
        sequence.promptEvaluated(prepared.pending, logits: row, promptLength: prompt.count)
        prepared.state.promptEvaluated()
        return (prepared.state, .session(row))
    }

    /// A prompt checked and matched against the session's cache, not yet evaluated: `pending`
    /// is what remains to evaluate (empty when the logits after this very prompt were saved).
    public struct PreparedPrompt {
        public var state: DecodeState
        public let pending: [Int]
        public let saved: PromptLogits?
    }

    public func prepare(prompt: [Int], in sequence: GenerationSession,
                        options: GenerationOptions) throws(GenerationError) -> PreparedPrompt {
        guard !prompt.isEmpty else { throw .invalidArgument("the prompt is empty") }
        guard options.maxTokens >= 0 else { throw .invalidArgument("max tokens must not be negative") }
        do { try options.sampling.validate(vocabularySize: model.info.vocabularySize) } catch { throw .invalidArgument("\(error)") }
        let limit = sequence.session.contextLength
        guard prompt.count < limit else { throw .promptTooLong(tokens: prompt.count, limit: limit) }
        let (cached, savedLogits) = options.reuseCachedPrefix ? sequence.reuse(prefixOf: prompt) : sequence.forgetCache()
        var state = DecodeState(options: options, tokenizer: tokenizer, promptTokens: prompt.count, cachedTokens: cached,
                                contextLength: limit)
        if let savedLogits {
            state.promptEvaluated()
            return PreparedPrompt(state: state, pending: [], saved: .copy(of: savedLogits))
        }
        return PreparedPrompt(state: state, pending: Array(prompt[cached...]), saved: nil)
    }
}

/// The logits after a prompt: the session's buffer (valid until its next evaluation), or a copy
/// of saved ones that the caller releases.
public enum PromptLogits {
    case session(UnsafeMutableBufferPointer<Float>)
    case owned(UnsafeMutableBufferPointer<Float>)

    static func copy(of source: UnsafeMutableBufferPointer<Float>) -> PromptLogits {
        let row = UnsafeMutableBufferPointer<Float>.allocate(capacity: source.count)
        _ = row.initialize(from: source)
        return .owned(row)
    }

    public var row: UnsafeMutableBufferPointer<Float> {
        switch self {
        case .session(let row), .owned(let row): return row
        }
    }

    public func release() {
        if case .owned(let row) = self { row.deallocate() }
    }
}
