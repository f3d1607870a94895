import ModelFiles

/// Gemma 3 hyper-parameters, read from `gemma3.*` GGUF metadata.
public struct Gemma3Configuration: Sendable, Equatable {
    public let layerCount: Int
    public let contextLength: Int
    public let embeddingLength: Int
    public let feedForwardLength: Int
    public let headCount: Int
    public let kvHeadCount: Int
    public let headDimension: Int
    /// RoPE base of the global (full-attention) layers.
    public let ropeBase: Float
    /// RoPE base of the local (sliding-window) layers.
    public let localRopeBase: Float
    /// Keys a local layer's query sees (itself included); 0 when every layer is global.
    public let slidingWindow: Int
    /// Which layers use the sliding window.
    public let localLayers: [Bool]
    public let rmsEpsilon: Float
    public let vocabularySize: Int
    /// q is multiplied by this before attention (1/sqrt(head size), except Gemma 3 27B).
    public let queryScale: Float
    /// 0: none; else logits = cap * tanh(logits / cap).
    public let finalLogitSoftcap: Float

    public var kvDimension: Int { kvHeadCount * headDimension }
    public var queryDimension: Int { headCount * headDimension }

    /// Every `slidingWindowPattern`-th layer (the last of each group) is global.
    static let defaultSlidingWindowPattern = 6
    static let defaultLocalRopeBase: Float = 10_000
    static let defaultRopeBase: Float = 1_000_000
    /// Gemma 3 27B (62 layers) scales queries by 1/sqrt(width / heads) instead.
    static let layerCountOf27B = 62

    init(file: GGUFFile) throws(ModelError) {
        let a = "gemma3"
        let read = HyperparameterReader(file: file, prefix: a)
        layerCount = try read.int("block_count", range: 1...1024)
        contextLength = try read.int("context_length")
        embeddingLength = try read.int("embedding_length", range: 1...65_536)
        feedForwardLength = try read.int("feed_forward_length", range: 1...262_144)
        (headCount, kvHeadCount, headDimension) = try read.attentionHeads(width: embeddingLength)
        let valueLength = try read.int("attention.value_length", default: headDimension, range: 2...1024)
        guard valueLength == headDimension, headDimension % 2 == 0 else {
            throw .invalidHyperparameter(key: "\(a).attention.value_length", value: "\(valueLength)",
                                         reason: "must equal the even key length \(headDimension)")
        }
        ropeBase = try read.float("rope.freq_base", default: Self.defaultRopeBase)
        localRopeBase = try read.float("rope.freq_base_swa", default: Self.defaultLocalRopeBase)
        slidingWindow = try read.int("attention.sliding_window", default: 0, range: 0...1 << 24)
        let pattern = try read.int("attention.sliding_window_pattern", default: Self.defaultSlidingWindowPattern,
                                   range: 1...1024)
        let windowed = slidingWindow > 0
        localLayers = (0..<layerCount).map { windowed && $0 % pattern < pattern - 1 }
        rmsEpsilon = try read.float("attention.layer_norm_rms_epsilon")
        vocabularySize = try read.vocabularySize()
        let scaleWidth = layerCount == Self.layerCountOf27B ? embeddingLength / headCount : headDimension
        queryScale = 1 / Float(scaleWidth).squareRoot()
        finalLogitSoftcap = try read.float("final_logit_softcapping", default: 0)
    }
}
