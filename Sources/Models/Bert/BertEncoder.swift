import Foundation
import Kernels
import ModelFiles

/// A BERT sentence encoder (all-MiniLM-L6-v2 and its kin): token, position and type embeddings,
/// post-norm layers of bidirectional attention and an erf-GELU feed-forward, then mean pooling
/// and L2 normalisation. F32 weights from a safetensors file. Thread-safe: each call allocates its
/// own buffers (an embedding request is one short pass, not a decode loop).
public final class BertEncoder: @unchecked Sendable {
    public let configuration: BertConfiguration
    let weights: BertWeights
    let pool: ThreadPool
    let file: SafeTensorsFile   // keeps the mapping (and every weight pointer) alive

    /// A folder with `config.json` and `model.safetensors`.
    public init(folder: String, pool: ThreadPool) throws(ModelError) {
        configuration = try BertConfiguration.load(folder: folder)
        do { file = try SafeTensorsFile(path: folder + "/model.safetensors") } catch { throw .file(error) }
        weights = try BertWeights(file: file, configuration: configuration)
        self.pool = pool
    }

    public var dimensions: Int { configuration.hidden_size }
    public var maxTokens: Int { configuration.max_position_embeddings }

    /// The unit-length sentence embedding of `tokens` ([CLS] ... [SEP]).
    public func embed(_ tokens: [Int]) throws(ModelError) -> [Float] {
        let c = configuration, n = tokens.count, h = c.hidden_size
        guard n > 0 else { throw .emptyInput }
        guard n <= c.max_position_embeddings else { throw .contextFull(position: 0, tokens: n, limit: c.max_position_embeddings) }
        for id in tokens where id < 0 || id >= c.vocab_size { throw .tokenOutOfRange(id, vocabularySize: c.vocab_size) }
        var x = [Float](repeating: 0, count: n * h)          // [n, hidden]
        for (t, id) in tokens.enumerated() {
            for d in 0..<h {
                x[t * h + d] = weights.wordEmbeddings[id * h + d] + weights.positionEmbeddings[t * h + d]
                    + weights.tokenTypeEmbeddings[d]
            }
        }
        layerNorm(&x, rows: n, weights.embeddingNorm)
        let scratch = MatmulScratch(maxTokens: n, maxCols: max(h, c.intermediate_size))
        for layer in weights.layers {
            let q = linear(layer.query, x, rows: n, scratch), k = linear(layer.key, x, rows: n, scratch)
            let v = linear(layer.value, x, rows: n, scratch)
            let context = attention(q: q, k: k, v: v, rows: n)
            addInPlace(&x, linear(layer.attentionOutput, context, rows: n, scratch))
            layerNorm(&x, rows: n, layer.attentionNorm)
            var inner = linear(layer.intermediate, x, rows: n, scratch)
            for i in inner.indices { inner[i] = 0.5 * inner[i] * (1 + erf(inner[i] / Float(2).squareRoot())) }
            addInPlace(&x, linear(layer.output, inner, rows: n, scratch))
            layerNorm(&x, rows: n, layer.outputNorm)
        }
        var pooled = [Float](repeating: 0, count: h)
        for t in 0..<n { for d in 0..<h { pooled[d] += x[t * h + d] } }
        let norm = pooled.reduce(0) { $0 + Double($1 / Float(n)) * Double($1 / Float(n)) }.squareRoot()
        return pooled.map { Float(Double($0 / Float(n)) / max(norm, 1e-12)) }
    }

    /// [rows, out] = x [rows, in] W^T + b.
    private func linear(_ layer: BertLinear, _ x: [Float], rows: Int, _ scratch: MatmulScratch) -> [Float] {
        let out = layer.weight.rows
        var y = [Float](repeating: 0, count: rows * out)
        x.withUnsafeBufferPointer { input in
            y.withUnsafeMutableBufferPointer { output in
                guard let i = input.baseAddress, let o = output.baseAddress else { return }
                matmul(layer.weight, input: i, tokens: rows, output: o, scratch: scratch, pool: pool)
            }
        }
        for r in 0..<rows { for j in 0..<out { y[r * out + j] += layer.bias[j] } }
        return y
    }

    /// Bidirectional multi-head attention, softmax in double: [rows, hidden].
    private func attention(q: [Float], k: [Float], v: [Float], rows n: Int) -> [Float] {
        let heads = configuration.num_attention_heads, hd = configuration.headDimension, h = configuration.hidden_size
        let scale = 1 / Double(hd).squareRoot()
        var out = [Float](repeating: 0, count: n * h)
        var scores = [Double](repeating: 0, count: n)
        for head in 0..<heads {
            for i in 0..<n {
                var best = -Double.infinity
                for j in 0..<n {
                    var dot = 0.0
                    for d in 0..<hd { dot += Double(q[i * h + head * hd + d]) * Double(k[j * h + head * hd + d]) }
                    scores[j] = dot * scale
                    best = max(best, scores[j])
                }
                var sum = 0.0
                for j in 0..<n { scores[j] = exp(scores[j] - best); sum += scores[j] }
                for d in 0..<hd {
                    var acc = 0.0
                    for j in 0..<n { acc += scores[j] * Double(v[j * h + head * hd + d]) }
                    out[i * h + head * hd + d] = Float(acc / sum)
                }
            }
        }
        return out
    }

    private func addInPlace(_ x: inout [Float], _ y: [Float]) {
        for i in x.indices { x[i] += y[i] }
    }

    /// Each row normalised to zero mean and unit variance, then scaled and shifted.
    private func layerNorm(_ x: inout [Float], rows: Int, _ norm: BertLayerNorm) {
        let h = configuration.hidden_size, eps = configuration.layer_norm_eps
        for r in 0..<rows {
            var mean = 0.0, variance = 0.0
            for d in 0..<h { mean += Double(x[r * h + d]) }
            mean /= Double(h)
            for d in 0..<h { let c = Double(x[r * h + d]) - mean; variance += c * c }
            let inv = 1 / (variance / Double(h) + eps).squareRoot()
            for d in 0..<h { x[r * h + d] = Float((Double(x[r * h + d]) - mean) * inv) * norm.weight[d] + norm.bias[d] }
        }
    }
}
