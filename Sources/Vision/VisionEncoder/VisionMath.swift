import Foundation
import Kernels

/// The encoder's row-wise operations on [rows, width] F32 activations; matrix products go to the
/// Kernels matmul (threaded, SIMD), including attention's, by viewing activations as F32 matrices.
struct VisionMath {
    let pool: ThreadPool

    /// [rows, out] = x [rows, in] W^T (+ b).
    func linear(_ layer: VisionLinear, _ x: [Float], rows: Int) throws(VisionError) -> [Float] {
        let out = layer.weight.rows
        var y = [Float](repeating: 0, count: rows * out)
        let scratch = MatmulScratch(maxTokens: rows, maxCols: layer.weight.cols)
        x.withUnsafeBufferPointer { input in
            y.withUnsafeMutableBufferPointer { output in
                guard let i = input.baseAddress, let o = output.baseAddress else { return }
                matmul(layer.weight, input: i, tokens: rows, output: o, scratch: scratch, pool: pool)
            }
        }
        if let bias = layer.bias {
            for r in 0..<rows { for j in 0..<out { y[r * out + j] += bias[j] } }
        }
        return y
    }

    /// Each row normalised to zero mean and unit variance (statistics in double), scaled and shifted.
    func layerNorm(_ x: inout [Float], rows: Int, _ norm: VisionNorm, eps: Float) {
        let width = norm.weight.count
        for r in 0..<rows {
            let base = r * width
            var mean = 0.0, variance = 0.0
            for d in 0..<width { mean += Double(x[base + d]) }
            mean /= Double(width)
            for d in 0..<width { let centred = Double(x[base + d]) - mean; variance += centred * centred }
            let inverse = 1 / (variance / Double(width) + Double(eps)).squareRoot()
            for d in 0..<width {
                x[base + d] = Float((Double(x[base + d]) - mean) * inverse) * norm.weight[d] + norm.bias[d]
            }
        }
    }

    /// The cubic coefficient of GELU's tanh approximation (Hendrycks & Gimpel 2016, eq. in sec. 2).
    static let geluCubic: Float = 0.044715
    /// Quick GELU's sigmoid scale (OpenAI CLIP's QuickGELU: x * sigmoid(1.702 x)).
    static let quickGeluScale: Float = 1.702

    func activate(_ x: inout [Float], _ activation: VisionActivation) {
        switch activation {
        case .gelu:
            // 0.5 x (1 + tanh(sqrt(2/pi) (x + c x^3))).
            let k = Float((2 / Double.pi).squareRoot()), c = Self.geluCubic
            for i in x.indices { let v = x[i]; x[i] = 0.5 * v * (1 + Foundation.tanh(k * (v + c * v * v * v))) }
        case .quickGelu:
            let a = Self.quickGeluScale
            for i in x.indices { let v = x[i]; x[i] = v / (1 + Foundation.exp(-a * v)) }
        }
    }

    func addInPlace(_ x: inout [Float], _ y: [Float]) {
        for i in x.indices { x[i] += y[i] }
    }

    /// Bidirectional multi-head attention over all tokens: [tokens, heads * headDimension]. Per
    /// head, scores = Q K^T / sqrt(d) and out = softmax(scores) V are two matmuls: K [tokens, d]
    /// and V^T [d, tokens] are copied out contiguous and used as the "weight" matrices.
    func attention(q: [Float], k: [Float], v: [Float], tokens n: Int, heads: Int,
                   headDimension d: Int) throws(VisionError) -> [Float] {
        let width = heads * d
        var out = [Float](repeating: 0, count: n * width)
        var queries = [Float](repeating: 0, count: n * d)       // [tokens, d]
        var keys = queries                                      // [tokens, d]
        var valuesT = queries                                   // [d, tokens]
        var scores = [Float](repeating: 0, count: n * n)       // [tokens, tokens]
        var context = queries                                   // [tokens, d]
        let scale = 1 / Float(d).squareRoot()
        let scratch = MatmulScratch(maxTokens: n, maxCols: max(n, d))
        for head in 0..<heads {
            for t in 0..<n {
                for i in 0..<d {
                    queries[t * d + i] = q[t * width + head * d + i] * scale
                    keys[t * d + i] = k[t * width + head * d + i]
                    valuesT[i * n + t] = v[t * width + head * d + i]
                }
            }
            try product(keys, rows: n, cols: d, input: queries, tokens: n, output: &scores, scratch)
            scores.withUnsafeMutableBufferPointer { rows in
                guard let base = rows.baseAddress else { return }
                for t in 0..<n { softmax(base + t * n, count: n) }
            }
            try product(valuesT, rows: d, cols: n, input: scores, tokens: n, output: &context, scratch)
            for t in 0..<n {
                for i in 0..<d { out[t * width + head * d + i] = context[t * d + i] }
            }
        }
        return out
    }

    /// output [tokens, rows] = input [tokens, cols] * matrix^T, matrix [rows, cols] F32.
    private func product(_ matrix: [Float], rows: Int, cols: Int, input: [Float], tokens: Int,
                         output: inout [Float], _ scratch: MatmulScratch) throws(VisionError) {
        var failure: VisionError?
        matrix.withUnsafeBytes { weights in
            input.withUnsafeBufferPointer { x in
                output.withUnsafeMutableBufferPointer { y in
                    guard let w = weights.baseAddress, let xb = x.baseAddress, let yb = y.baseAddress else { return }
                    do {
                        let m = try WeightMatrix(type: .f32, rows: rows, cols: cols, data: w)
                        matmul(m, input: xb, tokens: tokens, output: yb, scratch: scratch, pool: pool)
                    } catch {
                        failure = .invalidConfiguration("attention over \(tokens) tokens: \(error)")
                    }
                }
            }
        }
        if let failure { throw failure }
    }
}
