import Kernels
import ModelFiles

/// Gemma 3: embeddings scaled by sqrt(width); per layer RMSNorm, grouped-query attention with
/// RMS-normed q and k, NEOX RoPE and a sliding window on the local layers (their own RoPE base),
/// a norm after attention and after the GeGLU feed-forward; tied output embedding.
/// Computed in llama.cpp's order and roundings (q scaled before attention, GELU via f16 table).
public final class Gemma3Model: BatchedDecoder, @unchecked Sendable {
    public let configuration: Gemma3Configuration
    public let info: ModelInfo
    let weights: Gemma3Weights
    let pool: ThreadPool
    let shape: DecoderShape
    let file: GGUFFile   // keeps the memory map (and so every weight pointer) alive
    var trainedContextLength: Int { configuration.contextLength }
    var ends: DecoderEnds { weights.ends }

    public init(file: GGUFFile, pool: ThreadPool) throws(ModelError) {
        let c = try Gemma3Configuration(file: file)
        configuration = c
        weights = try Gemma3Weights(file: file, configuration: c)
        self.pool = pool
        self.file = file
        shape = DecoderShape(layers: c.layerCount, embedding: c.embeddingLength, query: c.queryDimension,
                             keyValue: c.kvDimension, feedForward: c.feedForwardLength,
                             vocabulary: c.vocabularySize, headDim: c.headDimension)
        info = ModelInfo(architecture: "gemma3", file: file, shape: shape, contextLength: c.contextLength)
    }

    public func makeSession(contextLength: Int, batchSize: Int, logitRows: Int) throws(ModelError) -> InferenceSession {
        try makeDecoderSession(contextLength: contextLength, batchSize: batchSize, logitRows: logitRows)
    }

    public func evaluate(_ tokens: [Int], splicing: PromptEmbeddings, in session: InferenceSession,
                         logits mode: LogitsMode) throws(ModelError) -> Logits {
        try evaluateInBatches(tokens, splicing: splicing, in: session, logits: mode)
    }

    public func makeWorkspace(maxSequences: Int, maxTokens: Int) throws(ModelError) -> InferenceSession {
        try makeDecoderWorkspace(maxSequences: maxSequences, maxTokens: maxTokens)
    }

    public func decode(_ chunks: [[Int]], splicing: PromptEmbeddings, sessions: [InferenceSession],
                       workspace: InferenceSession) throws(ModelError) -> Logits {
        try decodeInWorkspace(chunks, splicing: splicing, sessions: sessions, workspace: workspace)
    }

    func forward(_ tokens: ArraySlice<Int>, session s: DecoderSession, logitRows: LogitRows) {
        let c = configuration
        embed(tokens, session: s, scale: Float(c.embeddingLength).squareRoot())
        for (index, layer) in weights.layers.enumerated() {
            attentionBlock(layer, index: index, tokens: tokens.count, session: s)
            feedForwardBlock(layer, tokens: tokens.count, session: s)
        }
        s.advance(by: tokens.count)
        let logits = writeLogits(tokens: tokens.count, rows: logitRows, session: s)
        if c.finalLogitSoftcap != 0, let base = logits.baseAddress {
            softcap(base, cap: c.finalLogitSoftcap, count: logits.count)
        }
    }

    /// x[t, 0..<rows * width] = rmsNorm of each `width`-wide row times `weight`, in place.
    private func normalizeRows(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int, weight: UnsafePointer<Float>) {
        for r in 0..<rows {
            let row = x + r * width
            rmsNorm(row, weight: weight, count: width, eps: configuration.rmsEpsilon, output: row)
        }
    }

    private func attentionBlock(_ layer: Gemma3LayerWeights, index: Int, tokens n: Int, session s: DecoderSession) {
        let c = configuration
        let dim = c.embeddingLength
        let hd = c.headDimension
        normalize(tokens: 0..<n, weight: layer.attentionNorm, session: s)
        project([layer.query, layer.key, layer.value], s.normed.pointer, tokens: n,
                into: [s.query.pointer, s.key.pointer, s.value.pointer], session: s)
        normalizeRows(s.query.pointer, rows: n * c.headCount, width: hd, weight: layer.queryNorm)
        normalizeRows(s.key.pointer, rows: n * c.kvHeadCount, width: hd, weight: layer.keyNorm)
        let isLocal = c.localLayers[index]
        let base = isLocal ? c.localRopeBase : c.ropeBase
        rope(s.query.pointer, tokens: n, heads: c.headCount, headDim: hd, positions: s.positions.pointer,
             base: base, mode: .neox)
        rope(s.key.pointer, tokens: n, heads: c.kvHeadCount, headDim: hd, positions: s.positions.pointer,
             base: base, mode: .neox)
        scale(s.query.pointer, by: c.queryScale, count: n * c.queryDimension)
        // q is scaled before attention (not the scores), as llama.cpp does for Gemma.
        attendWithCache(layer: index, tokens: n, session: s, heads: c.headCount, kvHeads: c.kvHeadCount, scale: 1,
                        window: isLocal ? c.slidingWindow : 0)
        project(layer.attentionOutput, s.attended.pointer, tokens: n, into: s.projected.pointer, session: s)
        normalizeRows(s.projected.pointer, rows: n, width: dim, weight: layer.postAttentionNorm)
        add(s.hidden.pointer, s.projected.pointer, count: n * dim)
    }

    private func feedForwardBlock(_ layer: Gemma3LayerWeights, tokens n: Int, session s: DecoderSession) {
        let c = configuration
        let dim = c.embeddingLength
        normalize(tokens: 0..<n, weight: layer.feedForwardNorm, session: s)
        project([layer.gate, layer.up], s.normed.pointer, tokens: n, into: [s.gate.pointer, s.up.pointer], session: s)
        geluMul(gate: s.gate.pointer, up: s.up.pointer, count: n * c.feedForwardLength, output: s.gate.pointer)
        project(layer.down, s.gate.pointer, tokens: n, into: s.projected.pointer, session: s)
        normalizeRows(s.projected.pointer, rows: n, width: dim, weight: layer.postFeedForwardNorm)
        add(s.hidden.pointer, s.projected.pointer, count: n * dim)
    }
}
