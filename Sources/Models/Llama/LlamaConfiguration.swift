import ModelFiles

/// Llama-family hyper-parameters, read from `llama.*` GGUF metadata.
public struct LlamaConfiguration: Sendable, Equatable {
    public let layerCount: Int
    public let contextLength: Int
    public let embeddingLength: Int      // model width ("dim")
    public let feedForwardLength: Int
    public let headCount: Int
    public let kvHeadCount: Int          // < headCount: grouped-query attention
    public let headDimension: Int
    public let ropeDimension: Int
    public let ropeBase: Float
    public let rmsEpsilon: Float
    public let vocabularySize: Int

    public var kvDimension: Int { kvHeadCount * headDimension }
    public var queryDimension: Int { headCount * headDimension }

    /// Defaults where llama.cpp has them: RoPE base 10000 and KV heads = heads.
    static let defaultRopeBase: Float = 10_000

    init(file: GGUFFile, architecture: String = "llama") throws(ModelError) {
        let read = HyperparameterReader(file: file, prefix: architecture)
        layerCount = try read.int("block_count", range: 1...1024)
        contextLength = try read.int("context_length")
        embeddingLength = try read.int("embedding_length", range: 1...65_536)
        feedForwardLength = try read.int("feed_forward_length", range: 1...262_144)
        (headCount, kvHeadCount, headDimension) = try read.attentionHeads(width: embeddingLength)
        guard embeddingLength % headCount == 0 else {
            throw .invalidHyperparameter(key: "\(architecture).embedding_length", value: "\(embeddingLength)",
                                         reason: "must be a multiple of the head count \(headCount)")
        }
        ropeDimension = try read.int("rope.dimension_count", default: headDimension, range: 2...1024)
        guard ropeDimension == headDimension else {
            throw .invalidHyperparameter(key: "\(architecture).rope.dimension_count", value: "\(ropeDimension)",
                                         reason: "partial rotary embeddings are not supported (head size \(headDimension))")
        }
        ropeBase = try read.float("rope.freq_base", default: Self.defaultRopeBase)
        rmsEpsilon = try read.float("attention.layer_norm_rms_epsilon")
        vocabularySize = try read.vocabularySize()
    }
}
