import Kernels
import ModelFiles

/// The llama architecture: RMSNorm, RoPE, grouped-query attention over an f16 KV cache, SwiGLU,
/// optionally tied output embedding.
public final class LlamaModel: LanguageModel, @unchecked Sendable {
    public let configuration: LlamaConfiguration
    public let info: ModelInfo
    let weights: LlamaWeights
    let pool: ThreadPool
    let file: GGUFFile   // keeps the memory map (and so every weight pointer) alive

    public init(file: GGUFFile, pool: ThreadPool) throws(ModelError) {
        let configuration = try LlamaConfiguration(file: file)
        self.configuration = configuration
        self.weights = try LlamaWeights(file: file, configuration: configuration)
        self.pool = pool
        self.file = file
        self.info = ModelInfo(
            architecture: "llama",
            name: file.metadata["general.name"]?.stringValue,
            vocabularySize: configuration.vocabularySize,
            contextLength: configuration.contextLength,
            layerCount: configuration.layerCount,
            embeddingLength: configuration.embeddingLength,
            parameterCount: file.tensors.reduce(0) { $0 + $1.elementCount })
    }

    public func makeSession(contextLength: Int, batchSize: Int, logitRows: Int) throws(ModelError) -> InferenceSession {
        guard contextLength >= 1, contextLength <= configuration.contextLength else {
            throw .invalidHyperparameter(key: "context", value: "\(contextLength)",
                                         reason: "must be between 1 and the model's \(configuration.contextLength)")
        }
        guard batchSize >= 1, logitRows >= 1, logitRows <= batchSize else {
            throw .invalidHyperparameter(key: "batch", value: "\(batchSize)/\(logitRows)",
                                         reason: "batch and logit rows must be positive, logit rows <= batch")
        }
        return LlamaSession(configuration: configuration, contextLength: contextLength,
                            batchSize: min(batchSize, contextLength), logitRows: logitRows,
                            threads: pool.threadCount)
    }

    public func evaluate(_ tokens: [Int], in session: InferenceSession, logits mode: LogitsMode) throws(ModelError) -> Logits {
        guard let s = session as? LlamaSession else {
            throw .invalidHyperparameter(key: "session", value: "\(type(of: session))", reason: "not a llama session")
        }
        guard !tokens.isEmpty else { throw .emptyInput }
        guard s.position + tokens.count <= s.contextLength else {
            throw .contextFull(position: s.position, tokens: tokens.count, limit: s.contextLength)
        }
        if mode == .all, tokens.count > s.logitRows { throw .batchTooLarge(tokens: tokens.count, limit: s.logitRows) }
        for id in tokens where id < 0 || id >= configuration.vocabularySize {
            throw .tokenOutOfRange(id, vocabularySize: configuration.vocabularySize)
        }
        // Prefill in batches: each weight matrix is read once per batch, not once per token.
        var start = 0
        while start < tokens.count {
            let end = min(start + s.batchSize, tokens.count)
            let isLast = end == tokens.count
            let rows: LogitRows = mode == .all ? .all(offset: start) : (isLast ? .lastOnly : .none)
            forward(tokens[start..<end], session: s, logitRows: rows)
            start = end
        }
        let rowCount = mode == .all ? tokens.count : 1
        return Logits(rows: rowCount, vocabularySize: configuration.vocabularySize, base: s.logits.pointer)
    }

    enum LogitRows { case none, lastOnly, all(offset: Int) }

    /// One batch through every layer. Buffers are the session's; nothing is allocated here.
    private func forward(_ tokens: ArraySlice<Int>, session s: LlamaSession, logitRows: LogitRows) {
        let c = configuration
        let n = tokens.count
        let dim = c.embeddingLength
        let p0 = s.position
        for (t, id) in tokens.enumerated() {
            dequantizeRow(weights.tokenEmbedding, row: id, into: s.hidden.pointer + t * dim)
            s.positions.pointer[t] = Int32(p0 + t)
        }
        for (index, layer) in weights.layers.enumerated() {
            attentionBlock(layer, index: index, tokens: n, session: s)
            feedForwardBlock(layer, tokens: n, session: s)
        }
        s.advance(by: n)

        let (first, count, outputOffset): (Int, Int, Int)
        switch logitRows {
        case .none: return
        case .lastOnly: (first, count, outputOffset) = (n - 1, 1, 0)
        case .all(let offset): (first, count, outputOffset) = (0, n, offset)
        }
        normalize(tokens: first..<(first + count), weight: weights.outputNorm, session: s)
        matmul(weights.output, input: s.normed.pointer, tokens: count,
               output: s.logits.pointer + outputOffset * c.vocabularySize,
               scratch: s.matmulScratch, pool: pool)
    }

    /// normed[t - tokens.lowerBound] = rmsNorm(hidden[t]) * weight for each token t.
    private func normalize(tokens: Range<Int>, weight: UnsafePointer<Float>, session s: LlamaSession) {
        let dim = configuration.embeddingLength
        for t in tokens {
            rmsNorm(s.hidden.pointer + t * dim, weight: weight, count: dim, eps: configuration.rmsEpsilon,
                    output: s.normed.pointer + (t - tokens.lowerBound) * dim)
        }
    }

    private func attentionBlock(_ layer: LlamaLayerWeights, index: Int, tokens n: Int, session s: LlamaSession) {
        let c = configuration
        let dim = c.embeddingLength
        normalize(tokens: 0..<n, weight: layer.attentionNorm, session: s)
        matmul(layer.query, input: s.normed.pointer, tokens: n, output: s.query.pointer, scratch: s.matmulScratch, pool: pool)
        matmul(layer.key, input: s.normed.pointer, tokens: n, output: s.key.pointer, scratch: s.matmulScratch, pool: pool)
        matmul(layer.value, input: s.normed.pointer, tokens: n, output: s.value.pointer, scratch: s.matmulScratch, pool: pool)
        rope(s.query.pointer, tokens: n, heads: c.headCount, headDim: c.headDimension,
             positions: s.positions.pointer, base: c.ropeBase, mode: .normal)
        rope(s.key.pointer, tokens: n, heads: c.kvHeadCount, headDim: c.headDimension,
             positions: s.positions.pointer, base: c.ropeBase, mode: .normal)
        let kv = c.kvDimension
        let cacheOffset = s.position * kv
        storeF16(s.key.pointer, count: n * kv, into: s.keys[index].pointer + cacheOffset)
        storeF16(s.value.pointer, count: n * kv, into: s.values[index].pointer + cacheOffset)
        attention(query: s.query.pointer, keys: s.keys[index].pointer, values: s.values[index].pointer,
                  output: s.attended.pointer, tokens: n, firstPosition: s.position,
                  heads: c.headCount, kvHeads: c.kvHeadCount, headDim: c.headDimension,
                  scale: 1 / Float(c.headDimension).squareRoot(),
                  scratch: s.attentionScratch, pool: pool)
        matmul(layer.attentionOutput, input: s.attended.pointer, tokens: n, output: s.projected.pointer,
               scratch: s.matmulScratch, pool: pool)
        add(s.hidden.pointer, s.projected.pointer, count: n * dim)
    }

    private func feedForwardBlock(_ layer: LlamaLayerWeights, tokens n: Int, session s: LlamaSession) {
        let c = configuration
        let dim = c.embeddingLength
        normalize(tokens: 0..<n, weight: layer.feedForwardNorm, session: s)
        matmul(layer.gate, input: s.normed.pointer, tokens: n, output: s.gate.pointer, scratch: s.matmulScratch, pool: pool)
        matmul(layer.up, input: s.normed.pointer, tokens: n, output: s.up.pointer, scratch: s.matmulScratch, pool: pool)
        siluMul(gate: s.gate.pointer, up: s.up.pointer, count: n * c.feedForwardLength, output: s.gate.pointer)
        matmul(layer.down, input: s.gate.pointer, tokens: n, output: s.projected.pointer,
               scratch: s.matmulScratch, pool: pool)
        add(s.hidden.pointer, s.projected.pointer, count: n * dim)
    }
}
