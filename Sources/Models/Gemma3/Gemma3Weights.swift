import Kernels
import ModelFiles

/// One Gemma 3 block's weights, straight from the memory-mapped file. The norm weights in GGUF
/// already include Gemma's "+1" offset, so every norm is a plain RMSNorm times its weight.
struct Gemma3LayerWeights: @unchecked Sendable {
    let attentionNorm: UnsafePointer<Float>       // [dim]
    let query: WeightMatrix                       // [dim] -> [heads * headDim]
    let key: WeightMatrix                         // [dim] -> [kvHeads * headDim]
    let value: WeightMatrix                       // [dim] -> [kvHeads * headDim]
    let queryNorm: UnsafePointer<Float>           // [headDim], per head
    let keyNorm: UnsafePointer<Float>             // [headDim], per head
    let attentionOutput: WeightMatrix             // [heads * headDim] -> [dim]
    let postAttentionNorm: UnsafePointer<Float>   // [dim]
    let feedForwardNorm: UnsafePointer<Float>     // [dim]
    let gate: WeightMatrix                        // [dim] -> [ffn]
    let up: WeightMatrix                          // [dim] -> [ffn]
    let down: WeightMatrix                        // [ffn] -> [dim]
    let postFeedForwardNorm: UnsafePointer<Float> // [dim]
}

/// All weights of a Gemma 3 model; immutable and shared by every session.
struct Gemma3Weights: @unchecked Sendable {
    let ends: DecoderEnds
    let layers: [Gemma3LayerWeights]

    init(file: GGUFFile, configuration c: Gemma3Configuration) throws(ModelError) {
        typealias N = DecoderTensorNames
        typealias G = Gemma3TensorNames
        var bind = TensorBinder(file: file)
        let dim = c.embeddingLength
        let tokenEmbedding = try bind.matrix(N.tokenEmbedding, rows: c.vocabularySize, cols: dim)
        ends = DecoderEnds(
            tokenEmbedding: tokenEmbedding, outputNorm: try bind.vector(N.outputNorm, count: dim),
            output: try bind.optionalMatrix(N.output, rows: c.vocabularySize, cols: dim) ?? tokenEmbedding,
            rmsEpsilon: c.rmsEpsilon)
        var layers: [Gemma3LayerWeights] = []
        layers.reserveCapacity(c.layerCount)
        for i in 0..<c.layerCount {
            layers.append(Gemma3LayerWeights(
                attentionNorm: try bind.vector(N.attentionNorm(i), count: dim),
                query: try bind.matrix(N.query(i), rows: c.queryDimension, cols: dim),
                key: try bind.matrix(N.key(i), rows: c.kvDimension, cols: dim),
                value: try bind.matrix(N.value(i), rows: c.kvDimension, cols: dim),
                queryNorm: try bind.vector(G.queryNorm(i), count: c.headDimension),
                keyNorm: try bind.vector(G.keyNorm(i), count: c.headDimension),
                attentionOutput: try bind.matrix(N.attentionOutput(i), rows: dim, cols: c.queryDimension),
                postAttentionNorm: try bind.vector(G.postAttentionNorm(i), count: dim),
                feedForwardNorm: try bind.vector(N.feedForwardNorm(i), count: dim),
                gate: try bind.matrix(N.gate(i), rows: c.feedForwardLength, cols: dim),
                up: try bind.matrix(N.up(i), rows: c.feedForwardLength, cols: dim),
                down: try bind.matrix(N.down(i), rows: dim, cols: c.feedForwardLength),
                postFeedForwardNorm: try bind.vector(G.postFeedForwardNorm(i), count: dim)))
        }
        self.layers = layers
        try bind.finish()
    }
}
