import Kernels
import ModelFiles

/// What a caller needs to know about a loaded model, whatever its architecture.
public struct ModelInfo: Sendable, Equatable {
    public let architecture: String
    public let name: String?
    public let vocabularySize: Int
    public let contextLength: Int     // the longest context the model was trained for
    public let layerCount: Int
    public let embeddingLength: Int
    public let parameterCount: Int
}

/// Which rows of logits an evaluation should produce.
public enum LogitsMode: Sendable {
    case last   // only the final token's (generation)
    case all    // every token's (perplexity, prompt log-probabilities)
}

/// Logits written by the last `evaluate`, valid until the session is evaluated again.
public struct Logits {
    public let rows: Int
    public let vocabularySize: Int
    let base: UnsafeMutablePointer<Float>   // [rows, vocabularySize]

    public func row(_ index: Int) -> UnsafeMutableBufferPointer<Float> {
        precondition(index >= 0 && index < rows, "logits row out of range")
        return UnsafeMutableBufferPointer(start: base + index * vocabularySize, count: vocabularySize)
    }
}

/// Per-sequence run state (KV cache, scratch): separate from the immutable, shared weights.
public protocol InferenceSession: AnyObject {
    /// Tokens already in the cache; the next evaluated token sits at this position.
    var position: Int { get }
    var contextLength: Int { get }
    var batchSize: Int { get }
    /// Forgets everything from `position` on, so a shared prefix can be kept.
    func rewind(to position: Int)
}

/// A transformer that turns token ids into next-token logits.
public protocol LanguageModel: AnyObject, Sendable {
    var info: ModelInfo { get }
    /// Run state for one sequence of up to `contextLength` tokens, evaluated `batchSize` at a time.
    /// `logitRows` is how many rows `.all` may return per call (1 is enough for generation).
    func makeSession(contextLength: Int, batchSize: Int, logitRows: Int) throws(ModelError) -> InferenceSession
    /// Appends `tokens` to the session's sequence and returns their logits. Negative ids are
    /// placeholders for rows of `splicing` (an image's embeddings), which enter in their place.
    func evaluate(_ tokens: [Int], splicing: PromptEmbeddings, in session: InferenceSession,
                  logits: LogitsMode) throws(ModelError) -> Logits
    /// Scratch for `decode(_:sessions:workspace:)` steps of up to `maxSequences` sequences and
    /// `maxTokens` tokens in all.
    func makeWorkspace(maxSequences: Int, maxTokens: Int) throws(ModelError) -> InferenceSession
    /// One step of several sequences at once (continuous batching): chunks[i] (one token of a
    /// decoding sequence, or a piece of a starting one's prompt) is appended to sessions[i], and
    /// logits row i is the next-token logits of sequence i.
    /// Placeholder ids in the chunks are rows of `splicing`, as for `evaluate`.
    func decode(_ chunks: [[Int]], splicing: PromptEmbeddings, sessions: [InferenceSession],
                workspace: InferenceSession) throws(ModelError) -> Logits
}

extension LanguageModel {
    /// `evaluate` of token ids only.
    public func evaluate(_ tokens: [Int], in session: InferenceSession, logits: LogitsMode) throws(ModelError) -> Logits {
        try evaluate(tokens, splicing: PromptEmbeddings(), in: session, logits: logits)
    }

    /// `decode` of token ids only.
    public func decode(_ chunks: [[Int]], sessions: [InferenceSession], workspace: InferenceSession) throws(ModelError) -> Logits {
        try decode(chunks, splicing: PromptEmbeddings(), sessions: sessions, workspace: workspace)
    }
}

/// Reads `<architecture>.<key>` hyper-parameters, validating each.
struct HyperparameterReader {
    let file: GGUFFile
    let prefix: String

    func int(_ key: String, default fallback: Int? = nil, range: ClosedRange<Int> = 1...1 << 24) throws(ModelError) -> Int {
        let full = "\(prefix).\(key)"
        guard let value = file.metadata[full] else {
            if let fallback { return fallback }
            throw .file(.missingMetadata(full))
        }
        guard let int = value.intValue else {
            throw .invalidHyperparameter(key: full, value: "\(value)", reason: "not an integer")
        }
        guard range.contains(int) else {
            throw .invalidHyperparameter(key: full, value: "\(int)", reason: "outside \(range)")
        }
        return int
    }

    /// Query heads, KV heads (dividing the query heads) and the head size (key length, else
    /// width / heads).
    func attentionHeads(width: Int) throws(ModelError) -> (heads: Int, kvHeads: Int, headDim: Int) {
        let heads = try int("attention.head_count", range: 1...1024)
        let kvHeads = try int("attention.head_count_kv", default: heads, range: 1...1024)
        guard heads % kvHeads == 0 else {
            throw .invalidHyperparameter(key: "\(prefix).attention.head_count_kv", value: "\(kvHeads)",
                                         reason: "must divide the head count \(heads)")
        }
        let headDim = try int("attention.key_length", default: width / heads, range: 2...1024)
        return (heads, kvHeads, headDim)
    }

    /// The vocabulary size: `vocab_size`, else the tokenizer's token count.
    func vocabularySize() throws(ModelError) -> Int {
        let tokens = file.metadata["tokenizer.ggml.tokens"]?.arrayValue?.count
        return try int("vocab_size", default: tokens ?? 0, range: 1...1 << 22)
    }

    func float(_ key: String, default fallback: Float? = nil) throws(ModelError) -> Float {
        let full = "\(prefix).\(key)"
        guard let value = file.metadata[full] else {
            if let fallback { return fallback }
            throw .file(.missingMetadata(full))
        }
        guard let double = value.floatValue, double.isFinite else {
            throw .invalidHyperparameter(key: full, value: "\(value)", reason: "not a finite number")
        }
        return Float(double)
    }
}
