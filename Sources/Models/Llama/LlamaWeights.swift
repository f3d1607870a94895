import Kernels
import ModelFiles

/// One transformer block's weights, straight from the memory-mapped file.
struct LlamaLayerWeights: @unchecked Sendable {
    let attentionNorm: UnsafePointer<Float>   // [dim]
    let query: WeightMatrix                   // [dim] -> [heads * headDim]
    let key: WeightMatrix                     // [dim] -> [kvHeads * headDim]
    let value: WeightMatrix                   // [dim] -> [kvHeads * headDim]
    let attentionOutput: WeightMatrix         // [heads * headDim] -> [dim]
    let feedForwardNorm: UnsafePointer<Float> // [dim]
    let gate: WeightMatrix                    // [dim] -> [ffn]
    let up: WeightMatrix                      // [dim] -> [ffn]
    let down: WeightMatrix                    // [ffn] -> [dim]
}

/// All weights of a llama model; immutable and shared by every session.
struct LlamaWeights: @unchecked Sendable {
    let ends: DecoderEnds
    let layers: [LlamaLayerWeights]

    init(file: GGUFFile, configuration c: LlamaConfiguration) throws(ModelError) {
        typealias N = DecoderTensorNames
        var bind = TensorBinder(file: file)
        let dim = c.embeddingLength
        let tokenEmbedding = try bind.matrix(N.tokenEmbedding, rows: c.vocabularySize, cols: dim)
        ends = DecoderEnds(
            tokenEmbedding: tokenEmbedding, outputNorm: try bind.vector(N.outputNorm, count: dim),
            output: try bind.optionalMatrix(N.output, rows: c.vocabularySize, cols: dim) ?? tokenEmbedding,
            rmsEpsilon: c.rmsEpsilon)
        var layers: [LlamaLayerWeights] = []
        layers.reserveCapacity(c.layerCount)
        for i in 0..<c.layerCount {
            layers.append(LlamaLayerWeights(
                attentionNorm: try bind.vector(N.attentionNorm(i), count: dim),
                query: try bind.matrix(N.query(i), rows: c.queryDimension, cols: dim),
                key: try bind.matrix(N.key(i), rows: c.kvDimension, cols: dim),
                value: try bind.matrix(N.value(i), rows: c.kvDimension, cols: dim),
                attentionOutput: try bind.matrix(N.attentionOutput(i), rows: dim, cols: c.queryDimension),
                feedForwardNorm: try bind.vector(N.feedForwardNorm(i), count: dim),
                gate: try bind.matrix(N.gate(i), rows: c.feedForwardLength, cols: dim),
                up: try bind.matrix(N.up(i), rows: c.feedForwardLength, cols: dim),
                down: try bind.matrix(N.down(i), rows: dim, cols: c.feedForwardLength)))
        }
        self.layers = layers
        try bind.finish()
    }
}
