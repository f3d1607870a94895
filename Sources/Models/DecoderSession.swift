import Kernels
import ModelFiles

extension ModelInfo {
    init(architecture: String, file: GGUFFile, shape: DecoderShape, contextLength: Int) {
        self.init(architecture: architecture, name: file.metadata["general.name"]?.stringValue,
                  vocabularySize: shape.vocabulary, contextLength: contextLength, layerCount: shape.layers,
                  embeddingLength: shape.embedding,
                  parameterCount: file.tensors.reduce(0) { $0 + $1.elementCount })
    }
}

/// Buffer sizes of a decoder-only transformer, whatever its architecture.
struct DecoderShape: Sendable {
    let layers: Int
    let embedding: Int        // model width
    let query: Int            // heads * headDim
    let keyValue: Int         // kvHeads * headDim
    let feedForward: Int
    let vocabulary: Int
    let headDim: Int
}

/// One sequence's KV cache and scratch for a decoder-only transformer (llama, Gemma 3).
public final class DecoderSession: InferenceSession, @unchecked Sendable {
    public private(set) var position = 0
    public let contextLength: Int
    public let batchSize: Int
    let logitRows: Int

    let keys: [ScratchBuffer<UInt16>]     // per layer, f16 [contextLength, kvHeads * headDim]
    let values: [ScratchBuffer<UInt16>]   // per layer, f16 [contextLength, kvHeads * headDim]
    let hidden: ScratchBuffer<Float>      // [batch, dim] residual stream
    let normed: ScratchBuffer<Float>      // [batch, dim]
    let query: ScratchBuffer<Float>       // [batch, heads * headDim]
    let key: ScratchBuffer<Float>         // [batch, kvHeads * headDim]
    let value: ScratchBuffer<Float>       // [batch, kvHeads * headDim]
    let attended: ScratchBuffer<Float>    // [batch, heads * headDim]
    let projected: ScratchBuffer<Float>   // [batch, dim]
    let gate: ScratchBuffer<Float>        // [batch, ffn]
    let up: ScratchBuffer<Float>          // [batch, ffn]
    let positions: ScratchBuffer<Int32>   // [batch]
    let logits: ScratchBuffer<Float>      // [logitRows, vocab]
    let matmulScratch: MatmulScratch
    let attentionScratch: AttentionScratch

    init(shape s: DecoderShape, contextLength: Int, batchSize: Int, logitRows: Int, threads: Int) {
        self.contextLength = contextLength
        self.batchSize = batchSize
        self.logitRows = logitRows
        let kvCount = contextLength * s.keyValue
        keys = (0..<s.layers).map { _ in ScratchBuffer(count: kvCount) }
        values = (0..<s.layers).map { _ in ScratchBuffer(count: kvCount) }
        hidden = ScratchBuffer(count: batchSize * s.embedding)
        normed = ScratchBuffer(count: batchSize * s.embedding)
        query = ScratchBuffer(count: batchSize * s.query)
        key = ScratchBuffer(count: batchSize * s.keyValue)
        value = ScratchBuffer(count: batchSize * s.keyValue)
        attended = ScratchBuffer(count: batchSize * s.query)
        projected = ScratchBuffer(count: batchSize * s.embedding)
        gate = ScratchBuffer(count: batchSize * s.feedForward)
        up = ScratchBuffer(count: batchSize * s.feedForward)
        positions = ScratchBuffer(count: batchSize)
        logits = ScratchBuffer(count: logitRows * s.vocabulary)
        let widest = max(s.embedding, s.feedForward, s.query)
        matmulScratch = MatmulScratch(maxTokens: batchSize, maxCols: widest)
        attentionScratch = AttentionScratch(maxContext: contextLength, threads: threads)
    }

    /// Set while this session serves as the workspace of a multi-sequence step: each segment's
    /// tokens of the batch belong to its sequence, whose KV cache and position they use.
    var segments: [BatchSegment]?
    /// Made by `makeDecoderWorkspace`: buffers for decode steps, never a sequence itself.
    var isWorkspace = false
    /// A workspace's per-sequence attention entries (nil for a sequence).
    var attentionBatch: AttentionBatch?
    /// The rows the placeholder ids of the batch being evaluated stand for (empty between calls).
    var splicing = PromptEmbeddings()

    public func rewind(to newPosition: Int) {
        position = min(max(newPosition, 0), position)
    }

    func advance(by count: Int) {
        if let segments {
            for segment in segments { segment.sequence.position += segment.count }
        } else {
            position += count
        }
    }
}

/// Which logits rows one forward batch writes.
enum LogitRows {
    case none, lastOnly, all(offset: Int)
    /// The given tokens' rows, written one after another from row 0.
    case rows([Int])
}

/// The embedding and output ends of a decoder-only transformer.
struct DecoderEnds: @unchecked Sendable {
    let tokenEmbedding: WeightMatrix          // [vocab, dim]
    let outputNorm: UnsafePointer<Float>      // [dim]
    let output: WeightMatrix                  // [vocab, dim]; the embedding itself when tied
    let rmsEpsilon: Float
}

/// A decoder-only architecture: its forward pass over one batch; session checks, prefill
/// batching, embedding lookup and the logits are shared.
protocol BatchedDecoder: LanguageModel {
    var shape: DecoderShape { get }
    var trainedContextLength: Int { get }
    var pool: ThreadPool { get }
    var ends: DecoderEnds { get }
    /// One batch through every layer, appended at the session's position; allocates nothing.
    func forward(_ tokens: ArraySlice<Int>, session: DecoderSession, logitRows: LogitRows)
}

extension BatchedDecoder {
    func makeDecoderSession(contextLength: Int, batchSize: Int, logitRows: Int) throws(ModelError) -> DecoderSession {
        guard contextLength >= 1, contextLength <= trainedContextLength else {
            throw .invalidHyperparameter(key: "context", value: "\(contextLength)",
                                         reason: "must be between 1 and the model's \(trainedContextLength)")
        }
        guard batchSize >= 1, logitRows >= 1, logitRows <= batchSize else {
            throw .invalidHyperparameter(key: "batch", value: "\(batchSize)/\(logitRows)",
                                         reason: "batch and logit rows must be positive, logit rows <= batch")
        }
        return DecoderSession(shape: shape, contextLength: contextLength, batchSize: min(batchSize, contextLength),
                              logitRows: logitRows, threads: pool.threadCount)
    }

    /// hidden[t] = embedding of tokens[t] (times `scale`), or for a placeholder id the spliced row
    /// it stands for (never scaled: llama.cpp scales token embeddings only, not an image's);
    /// positions[t] = session position + t.
    func embed(_ tokens: ArraySlice<Int>, session s: DecoderSession, scale factor: Float = 1) {
        let dim = shape.embedding
        var spliced = 0
        for (t, id) in tokens.enumerated() {
            let row = s.hidden.pointer + t * dim
            if id >= 0 {
                dequantizeRow(ends.tokenEmbedding, row: id, into: row)
            } else {
                spliced += 1
                if !s.splicing.copyRow(id, into: row) { row.update(repeating: 0, count: dim) }
            }
            s.positions.pointer[t] = Int32(s.position + t)
        }
        for segment in s.segments ?? [] {
            for j in 0..<segment.count { s.positions.pointer[segment.start + j] = Int32(segment.sequence.position + j) }
        }
        guard factor != 1 else { return }
        if spliced == 0 { return scale(s.hidden.pointer, by: factor, count: tokens.count * dim) }
        for (t, id) in tokens.enumerated() where id >= 0 { scale(s.hidden.pointer + t * dim, by: factor, count: dim) }
    }

    /// Every id a token of the vocabulary or a placeholder of a row of `splicing` in the model's width.
    func checkIDs(_ tokens: [Int], splicing: PromptEmbeddings) throws(ModelError) {
        for id in tokens where id >= shape.vocabulary {
            throw .tokenOutOfRange(id, vocabularySize: shape.vocabulary)
        }
        try splicing.validate(tokens, width: shape.embedding)
    }

    /// normed[t - tokens.lowerBound] = rmsNorm(hidden[t]) * weight for each token t.
    func normalize(tokens: Range<Int>, weight: UnsafePointer<Float>, session s: DecoderSession) {
        let dim = shape.embedding
        for t in tokens {
            rmsNorm(s.hidden.pointer + t * dim, weight: weight, count: dim, eps: ends.rmsEpsilon,
                    output: s.normed.pointer + (t - tokens.lowerBound) * dim)
        }
    }

    /// output[n, w.rows] = input[n, w.cols] * W^T with the session's scratch.
    func project(_ w: WeightMatrix, _ input: UnsafePointer<Float>, tokens n: Int, into output: UnsafeMutablePointer<Float>,
                 session s: DecoderSession) {
        matmul(w, input: input, tokens: n, output: output, scratch: s.matmulScratch, pool: pool)
    }

    /// `project` for several matrices on one input, in one pass of the pool where their types allow.
    func project(_ ws: [WeightMatrix], _ input: UnsafePointer<Float>, tokens n: Int,
                 into outputs: [UnsafeMutablePointer<Float>], session s: DecoderSession) {
        matmul(ws, input: input, tokens: n, outputs: outputs, scratch: s.matmulScratch, pool: pool)
    }

    /// Appends the batch's keys and values (s.key, s.value) to layer `index`'s f16 cache, then
    /// s.attended = attention of s.query over everything cached (the last `window` positions when
    /// window > 0).
    func attendWithCache(layer index: Int, tokens n: Int, session s: DecoderSession, heads: Int, kvHeads: Int,
                         scale: Float, window: Int = 0) {
        let kv = shape.keyValue
        guard let segments = s.segments else {
            storeF16(s.key.pointer, count: n * kv, into: s.keys[index].pointer + s.position * kv)
            storeF16(s.value.pointer, count: n * kv, into: s.values[index].pointer + s.position * kv)
            attention(query: s.query.pointer, keys: s.keys[index].pointer, values: s.values[index].pointer,
                      output: s.attended.pointer, tokens: n, firstPosition: s.position, heads: heads, kvHeads: kvHeads,
                      headDim: shape.headDim, scale: scale, window: window, scratch: s.attentionScratch, pool: pool)
            return
        }
        // Each sequence's tokens against its own cache, as many as it evaluated alone would be:
        // a sequence processed in company gets the attention numbers it gets alone.
        // All sequences in one pool run: a step of many one-token sequences would otherwise pay a
        // dispatch per sequence and layer for a few heads' work each.
        let width = heads * shape.headDim
        guard let batch = s.attentionBatch else { return }
        for (i, segment) in segments.enumerated() {
            let sequence = segment.sequence, t = segment.start, n = segment.count
            storeF16(s.key.pointer + t * kv, count: n * kv, into: sequence.keys[index].pointer + sequence.position * kv)
            storeF16(s.value.pointer + t * kv, count: n * kv, into: sequence.values[index].pointer + sequence.position * kv)
            batch.set(i, query: s.query.pointer + t * width, keys: sequence.keys[index].pointer,
                      values: sequence.values[index].pointer, output: s.attended.pointer + t * width, tokens: n,
                      firstPosition: sequence.position)
        }
        batch.run(count: segments.count, heads: heads, kvHeads: kvHeads, headDim: shape.headDim, scale: scale,
                  window: window, scratch: s.attentionScratch, pool: pool)
    }

    /// After the layers of a batch of `n` tokens: the requested logits rows, from the final norm
    /// and the output matrix. Returns the rows written (empty for `.none`).
    @discardableResult
    func writeLogits(tokens n: Int, rows logitRows: LogitRows, session s: DecoderSession) -> UnsafeMutableBufferPointer<Float> {
        let (rows, outputOffset): ([Int], Int)
        switch logitRows {
        case .none: return UnsafeMutableBufferPointer(start: s.logits.pointer, count: 0)
        case .lastOnly: (rows, outputOffset) = ([n - 1], 0)
        case .all(let offset): (rows, outputOffset) = (Array(0..<n), offset)
        case .rows(let tokens): (rows, outputOffset) = (tokens, 0)
        }
        let count = rows.count
        let dim = shape.embedding
        for (r, t) in rows.enumerated() {
            rmsNorm(s.hidden.pointer + t * dim, weight: ends.outputNorm, count: dim, eps: ends.rmsEpsilon,
                    output: s.normed.pointer + r * dim)
        }
        let logits = s.logits.pointer + outputOffset * shape.vocabulary
        matmul(ends.output, input: s.normed.pointer, tokens: count, output: logits,
               scratch: s.matmulScratch, pool: pool)
        return UnsafeMutableBufferPointer(start: logits, count: count * shape.vocabulary)
    }

    func evaluateInBatches(_ tokens: [Int], splicing: PromptEmbeddings, in session: InferenceSession,
                           logits mode: LogitsMode) throws(ModelError) -> Logits {
        guard let s = session as? DecoderSession, !s.isWorkspace else {
            throw .invalidHyperparameter(key: "session", value: "\(type(of: session))", reason: "not one of this model's sequences")
        }
        guard !tokens.isEmpty else { throw .emptyInput }
        guard s.position + tokens.count <= s.contextLength else {
            throw .contextFull(position: s.position, tokens: tokens.count, limit: s.contextLength)
        }
        if mode == .all, tokens.count > s.logitRows { throw .batchTooLarge(tokens: tokens.count, limit: s.logitRows) }
        try checkIDs(tokens, splicing: splicing)
        s.splicing = splicing
        defer { s.splicing = PromptEmbeddings() }
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
        return Logits(rows: rowCount, vocabularySize: shape.vocabulary, base: s.logits.pointer)
    }
}
