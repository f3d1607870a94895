import Kernels

/// One sequence's KV cache and scratch for a llama model.
public final class LlamaSession: InferenceSession, @unchecked Sendable {
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

    init(configuration c: LlamaConfiguration, contextLength: Int, batchSize: Int, logitRows: Int, threads: Int) {
        self.contextLength = contextLength
        self.batchSize = batchSize
        self.logitRows = logitRows
        let kvCount = contextLength * c.kvDimension
        keys = (0..<c.layerCount).map { _ in ScratchBuffer(count: kvCount) }
        values = (0..<c.layerCount).map { _ in ScratchBuffer(count: kvCount) }
        hidden = ScratchBuffer(count: batchSize * c.embeddingLength)
        normed = ScratchBuffer(count: batchSize * c.embeddingLength)
        query = ScratchBuffer(count: batchSize * c.queryDimension)
        key = ScratchBuffer(count: batchSize * c.kvDimension)
        value = ScratchBuffer(count: batchSize * c.kvDimension)
        attended = ScratchBuffer(count: batchSize * c.queryDimension)
        projected = ScratchBuffer(count: batchSize * c.embeddingLength)
        gate = ScratchBuffer(count: batchSize * c.feedForwardLength)
        up = ScratchBuffer(count: batchSize * c.feedForwardLength)
        positions = ScratchBuffer(count: batchSize)
        logits = ScratchBuffer(count: logitRows * c.vocabularySize)
        let widest = max(c.embeddingLength, c.feedForwardLength, c.queryDimension)
        matmulScratch = MatmulScratch(maxTokens: batchSize, maxCols: widest)
        attentionScratch = AttentionScratch(maxContext: contextLength, threads: threads)
    }

    public func rewind(to newPosition: Int) {
        position = min(max(newPosition, 0), position)
    }

    func advance(by count: Int) { position += count }
}
