import Kernels
import ModelFiles

/// The llama architecture: RMSNorm, RoPE, grouped-query attention over an f16 KV cache, SwiGLU,
/// optionally tied output embedding.
public final class LlamaModel: BatchedDecoder, @unchecked Sendable {
    public let configuration: LlamaConfiguration
    public let info: ModelInfo
    let weights: LlamaWeights
    let pool: ThreadPool
    let shape: DecoderShape
    var trainedContextLength: Int { configuration.contextLength }
    var ends: DecoderEnds { weights.ends }
    let file: GGUFFile   // keeps the memory map (and so every weight pointer) alive

    public init(file: GGUFFile, pool: ThreadPool) throws(ModelError) {
        let configuration = try LlamaConfiguration(file: file)
        self.configuration = configuration
        self.weights = try LlamaWeights(file: file, configuration: configuration)
        self.pool = pool
        self.shape = DecoderShape(
            layers: configuration.layerCount, embedding: configuration.embeddingLength,
            query: configuration.queryDimension, keyValue: configuration.kvDimension,
            feedForward: configuration.feedForwardLength, vocabulary: configuration.vocabularySize,
            headDim: configuration.headDimension)
        self.file = file
        self.info = ModelInfo(architecture: "llama", file: file, shape: shape,
                              contextLength: configuration.contextLength)
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
        embed(tokens, session: s)
        for (index, layer) in weights.layers.enumerated() {
            attentionBlock(layer, index: index, tokens: tokens.count, session: s)
            feedForwardBlock(layer, tokens: tokens.count, session: s)
        }
        s.advance(by: tokens.count)
        writeLogits(tokens: tokens.count, rows: logitRows, session: s)
    }

    private func attentionBlock(_ layer: LlamaLayerWeights, index: Int, tokens n: Int, session s: DecoderSession) {
        let c = configuration
        let dim = c.embeddingLength
        normalize(tokens: 0..<n, weight: layer.attentionNorm, session: s)
        project([layer.query, layer.key, layer.value], s.normed.pointer, tokens: n,
                into: [s.query.pointer, s.key.pointer, s.value.pointer], session: s)
        rope(s.query.pointer, tokens: n, heads: c.headCount, headDim: c.headDimension,
             positions: s.positions.pointer, base: c.ropeBase, mode: .normal)
        rope(s.key.pointer, tokens: n, heads: c.kvHeadCount, headDim: c.headDimension,
             positions: s.positions.pointer, base: c.ropeBase, mode: .normal)
        attendWithCache(layer: index, tokens: n, session: s, heads: c.headCount, kvHeads: c.kvHeadCount,
                        scale: 1 / Float(c.headDimension).squareRoot())
        project(layer.attentionOutput, s.attended.pointer, tokens: n, into: s.projected.pointer, session: s)
        add(s.hidden.pointer, s.projected.pointer, count: n * dim)
    }

    private func feedForwardBlock(_ layer: LlamaLayerWeights, tokens n: Int, session s: DecoderSession) {
        let c = configuration
        let dim = c.embeddingLength
        normalize(tokens: 0..<n, weight: layer.feedForwardNorm, session: s)
        project([layer.gate, layer.up], s.normed.pointer, tokens: n, into: [s.gate.pointer, s.up.pointer], session: s)
        siluMul(gate: s.gate.pointer, up: s.up.pointer, count: n * c.feedForwardLength, output: s.gate.pointer)
        project(layer.down, s.gate.pointer, tokens: n, into: s.projected.pointer, session: s)
        add(s.hidden.pointer, s.projected.pointer, count: n * dim)
    }
}
