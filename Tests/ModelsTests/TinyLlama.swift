import Foundation
import Kernels
import ModelFiles
import TestSupport

/// A tiny llama model with seeded random F32 weights, written with GGUFWriter, plus a plain
/// double-precision reference forward pass to check the engine against.
struct TinyLlama {
    static let dim = 64, layers = 2, heads = 4, kvHeads = 2, ffn = 96, vocab = 80
    static let headDim = dim / heads
    static let ropeBase: Float = 10_000
    static let eps: Float = 1e-5

    var tensors: [String: (dims: [Int], values: [Float])] = [:]

    init(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        func next() -> Float { Float(generator.next() >> 40) / Float(1 << 24) - 0.5 }  // uniform in [-0.5, 0.5)
        func matrix(_ name: String, rows: Int, cols: Int, scale: Float) {
            tensors[name] = ([cols, rows], (0..<(rows * cols)).map { _ in next() * scale })
        }
        func norm(_ name: String) { tensors[name] = ([Self.dim], (0..<Self.dim).map { _ in 1 + next() * 0.2 }) }
        let kv = Self.kvHeads * Self.headDim
        matrix("token_embd.weight", rows: Self.vocab, cols: Self.dim, scale: 2)
        norm("output_norm.weight")
        for i in 0..<Self.layers {
            norm("blk.\(i).attn_norm.weight")
            norm("blk.\(i).ffn_norm.weight")
            matrix("blk.\(i).attn_q.weight", rows: Self.dim, cols: Self.dim, scale: 0.5)
            matrix("blk.\(i).attn_k.weight", rows: kv, cols: Self.dim, scale: 0.5)
            matrix("blk.\(i).attn_v.weight", rows: kv, cols: Self.dim, scale: 0.5)
            matrix("blk.\(i).attn_output.weight", rows: Self.dim, cols: Self.dim, scale: 0.3)
            matrix("blk.\(i).ffn_gate.weight", rows: Self.ffn, cols: Self.dim, scale: 0.5)
            matrix("blk.\(i).ffn_up.weight", rows: Self.ffn, cols: Self.dim, scale: 0.5)
            matrix("blk.\(i).ffn_down.weight", rows: Self.dim, cols: Self.ffn, scale: 0.3)
        }
    }

    /// The GGUF file; `drop`/`extra`/`reshape` make deliberately broken variants.
    func gguf(drop: String? = nil, extra: String? = nil, reshape: String? = nil,
              metadata: [String: GGUFValue] = [:]) throws -> GGUFFile {
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("llama"))
        writer.set("llama.block_count", .uint32(UInt32(Self.layers)))
        writer.set("llama.context_length", .uint32(256))
        writer.set("llama.embedding_length", .uint32(UInt32(Self.dim)))
        writer.set("llama.feed_forward_length", .uint32(UInt32(Self.ffn)))
        writer.set("llama.attention.head_count", .uint32(UInt32(Self.heads)))
        writer.set("llama.attention.head_count_kv", .uint32(UInt32(Self.kvHeads)))
        writer.set("llama.rope.freq_base", .float32(Self.ropeBase))
        writer.set("llama.attention.layer_norm_rms_epsilon", .float32(Self.eps))
        writer.set("llama.vocab_size", .uint32(UInt32(Self.vocab)))
        for (key, value) in metadata { writer.set(key, value) }
        var names = tensors.keys.sorted()
        if let extra { names.append(extra) }
        for name in names where name != drop {
            let (dims, values) = tensors[name] ?? ([Self.dim], [Float](repeating: 0, count: Self.dim))
            let shape = name == reshape ? [dims[0], dims.count > 1 ? dims[1] + 1 : 2] : dims
            var data = values
            if name == reshape { data += [Float](repeating: 0, count: shape.reduce(1, *) - values.count) }
            let bytes = data.withUnsafeBytes { Array($0) }
            try writer.addTensor(name: name, dimensions: shape, type: .f32, data: bytes)
        }
        return try GGUFFile(bytes: writer.bytes())
    }

    // MARK: reference forward pass (double precision, no quantization, f32 KV)

    func weight(_ name: String) -> [Double] { (tensors[name]?.values ?? []).map(Double.init) }

    /// y[r] = sum_c W[r, c] x[c], W stored row-major [rows, cols].
    func project(_ name: String, _ x: [Double]) -> [Double] {
        let w = weight(name)
        let cols = x.count
        return (0..<(w.count / cols)).map { r in (0..<cols).reduce(0) { $0 + w[r * cols + $1] * x[$1] } }
    }

    func rmsNorm(_ x: [Double], _ name: String) -> [Double] {
        let w = weight(name)
        let scale = 1 / (x.reduce(0) { $0 + $1 * $1 } / Double(x.count) + Double(Self.eps)).squareRoot()
        return x.indices.map { x[$0] * scale * w[$0] }
    }

    func rope(_ x: inout [Double], position: Int, heads: Int) {
        for h in 0..<heads {
            for i in 0..<(Self.headDim / 2) {
                let theta = Double(position) * pow(Double(Self.ropeBase), -2 * Double(i) / Double(Self.headDim))
                let a = h * Self.headDim + 2 * i
                let (x0, x1) = (x[a], x[a + 1])
                x[a] = x0 * cos(theta) - x1 * sin(theta)
                x[a + 1] = x0 * sin(theta) + x1 * cos(theta)
            }
        }
    }

    /// Logits [tokens, vocab] for a whole sequence.
    func referenceLogits(_ tokens: [Int]) -> [[Double]] {
        let embedding = weight("token_embd.weight")
        var keys = [[[Double]]](repeating: [], count: Self.layers)
        var values = [[[Double]]](repeating: [], count: Self.layers)
        var result: [[Double]] = []
        for (position, token) in tokens.enumerated() {
            var x = Array(embedding[(token * Self.dim)..<((token + 1) * Self.dim)])
            for l in 0..<Self.layers {
                let h = rmsNorm(x, "blk.\(l).attn_norm.weight")
                var q = project("blk.\(l).attn_q.weight", h)
                var k = project("blk.\(l).attn_k.weight", h)
                rope(&q, position: position, heads: Self.heads)
                rope(&k, position: position, heads: Self.kvHeads)
                keys[l].append(k)
                values[l].append(project("blk.\(l).attn_v.weight", h))
                var attended = [Double](repeating: 0, count: Self.dim)
                for head in 0..<Self.heads {
                    let kvHead = head / (Self.heads / Self.kvHeads)
                    let qh = q[(head * Self.headDim)..<((head + 1) * Self.headDim)]
                    let scores = keys[l].map { key in
                        zip(qh, key[(kvHead * Self.headDim)...]).reduce(0) { $0 + $1.0 * $1.1 } / Double(Self.headDim).squareRoot()
                    }
                    let top = scores.max() ?? 0
                    let exps = scores.map { exp($0 - top) }
                    let sum = exps.reduce(0, +)
                    for (p, e) in exps.enumerated() {
                        for d in 0..<Self.headDim {
                            attended[head * Self.headDim + d] += e / sum * values[l][p][kvHead * Self.headDim + d]
                        }
                    }
                }
                let o = project("blk.\(l).attn_output.weight", attended)
                x = x.indices.map { x[$0] + o[$0] }
                let f = rmsNorm(x, "blk.\(l).ffn_norm.weight")
                let gate = project("blk.\(l).ffn_gate.weight", f)
                let up = project("blk.\(l).ffn_up.weight", f)
                let hidden = gate.indices.map { gate[$0] / (1 + exp(-gate[$0])) * up[$0] }
                let down = project("blk.\(l).ffn_down.weight", hidden)
                x = x.indices.map { x[$0] + down[$0] }
            }
            result.append(project("token_embd.weight", rmsNorm(x, "output_norm.weight")))
        }
        return result
    }
}
