import CKernels
import Kernels
import Testing

// Element-wise results against double-precision formulas: a few f32 ulps.
let elementwiseRelativeTolerance: Float = 1e-5
// AVX2 exp is a degree-6 polynomial (~2 ulp) where the scalar twin calls libm's expf.
let expBasedRelativeTolerance: Float = 2e-6
// RMS norm eps of SmolLM2 (GGUF llama.attention.layer_norm_rms_epsilon).
let smolRmsEps: Float = 1e-5
// RoPE base of SmolLM2 (GGUF llama.rope.freq_base).
let smolRopeBase: Float = 100_000

private func close(_ a: Float, _ b: Double, relative: Float, absolute: Float = 1e-6) -> Bool {
    abs(Double(a) - b) <= Double(relative) * abs(b) + Double(absolute)
}

@Test func rmsNormMatchesDouble() {
    let n = 576
    let x = randomFloats(n, seed: 21), w = randomFloats(n, seed: 22)
    let mean = x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(n)
    let inv = 1 / (mean + Double(smolRmsEps)).squareRoot()
    var y = [Float](repeating: 0, count: n)
    rmsNorm(x, weight: w, count: n, eps: smolRmsEps, output: &y)
    for i in 0..<n {
        #expect(close(y[i], Double(x[i]) * inv * Double(w[i]), relative: elementwiseRelativeTolerance))
    }
}

@Test func fp32OpsBackendsAgree() throws {
    guard KernelBackend.avx2Available else { return }
    let n = 1000 // not a multiple of 8: exercises the tails
    let a = randomFloats(n, seed: 31, scale: 4), b = randomFloats(n, seed: 32)
    var s = [Float](repeating: 0, count: n), v = [Float](repeating: 0, count: n)
    ck_rms_norm_scalar(a, b, Int32(n), smolRmsEps, &s)
    ck_rms_norm_avx2(a, b, Int32(n), smolRmsEps, &v)
    #expect(maxAbsDifference(s, v) <= 1e-6 * (v.map(abs).max() ?? 1))
    ck_silu_mul_scalar(a, b, Int32(n), &s)
    ck_silu_mul_avx2(a, b, Int32(n), &v)
    for i in 0..<n { #expect(close(v[i], Double(s[i]), relative: expBasedRelativeTolerance, absolute: 1e-7)) }
    ck_gelu_mul_scalar(a, b, Int32(n), &s)
    ck_gelu_mul_avx2(a, b, Int32(n), &v)
    #expect(s == v)  // same f16 table and roundings in both
    s = a; v = a
    ck_softmax_scalar(&s, Int32(n))
    ck_softmax_avx2(&v, Int32(n))
    for i in 0..<n { #expect(close(v[i], Double(s[i]), relative: expBasedRelativeTolerance, absolute: 1e-9)) }
    s = a; v = a
    ck_add_scalar(&s, b, Int32(n))
    ck_add_avx2(&v, b, Int32(n))
    #expect(s == v)
}

@Test func siluAndGeluMatchFormulas() {
    let n = 64
    let g = randomFloats(n, seed: 41, scale: 3), u = randomFloats(n, seed: 42)
    var y = [Float](repeating: 0, count: n)
    siluMul(gate: g, up: u, count: n, output: &y)
    for i in 0..<n {
        let x = Double(g[i])
        #expect(close(y[i], x / (1 + expDouble(-x)) * Double(u[i]), relative: elementwiseRelativeTolerance))
    }
    let gate = g + [-12, -10, 10, 12.5], up = u + [2, 2, 2, 2]
    y = [Float](repeating: 0, count: gate.count)
    geluMul(gate: gate, up: up, count: gate.count, output: &y)
    for i in 0..<gate.count {
        let x = Double(gate[i])
        let gelu = abs(x) >= 10 ? max(x, 0) : 0.5 * x * (1 + tanhDouble(0.7978845608028654 * x * (1 + 0.044715 * x * x)))
        #expect(abs(Double(y[i]) - gelu * Double(up[i])) <= geluTableTolerance * (abs(x) + 1e-3) * abs(Double(up[i])),
                "gelu(\(x))")
    }
}

// GELU goes through an f16 table (input and output rounded to f16, 2^-11 each, slope <= 1.13).
let geluTableTolerance = 1.0 / 512

@Test func softmaxSumsToOne() {
    var x = randomFloats(300, seed: 51, scale: 10)
    softmax(&x, count: x.count)
    let sum = x.reduce(0.0) { $0 + Double($1) }
    #expect(abs(sum - 1) < 1e-5)
    #expect(x.allSatisfy { $0 >= 0 })
}

/// RoPE in double with the same running-product angles.
private func ropeReference(_ x: [Float], tokens: Int, heads: Int, headDim: Int, positions: [Int32], base: Float,
                           neox: Bool) -> [Double] {
    var out = x.map(Double.init)
    let thetaScale = powFloat(base, -2 / Float(headDim))
    for t in 0..<tokens {
        var theta = Float(positions[t])
        for i in 0..<headDim / 2 {
            let c = cosDouble(Double(theta)), s = sinDouble(Double(theta))
            for h in 0..<heads {
                let base = (t * heads + h) * headDim
                let a = neox ? base + i : base + 2 * i
                let b = neox ? base + i + headDim / 2 : base + 2 * i + 1
                let x0 = Double(x[a]), x1 = Double(x[b])
                out[a] = x0 * c - x1 * s
                out[b] = x0 * s + x1 * c
            }
            theta *= thetaScale
        }
    }
    return out
}

@Test(arguments: [RopeMode.normal, .neox])
func ropeMatchesReference(mode: RopeMode) {
    let tokens = 3, heads = 9, headDim = 64
    let x = randomFloats(tokens * heads * headDim, seed: 61)
    let positions: [Int32] = [0, 17, 4000]
    let expected = ropeReference(x, tokens: tokens, heads: heads, headDim: headDim, positions: positions,
                                 base: smolRopeBase, neox: mode == .neox)
    var y = x
    rope(&y, tokens: tokens, heads: heads, headDim: headDim, positions: positions, base: smolRopeBase, mode: mode)
    for i in 0..<y.count {
        // Large angles: cosf/sinf of a float angle vs double: ~1e-7 * |x| absolute.
        #expect(close(y[i], expected[i], relative: 1e-5, absolute: 2e-6), "\(mode) \(i)")
    }
    if KernelBackend.avx2Available {
        var s = x, v = x
        let m: Int32 = mode == .neox ? 2 : 0
        ck_rope_scalar(&s, Int32(tokens), Int32(heads), Int32(headDim), positions, smolRopeBase, m)
        ck_rope_avx2(&v, Int32(tokens), Int32(heads), Int32(headDim), positions, smolRopeBase, m)
        #expect(s == v) // same products and sums, no FMA: bit-identical
    }
}

@Test func ropeAtPositionZeroIsIdentity() {
    let x = randomFloats(128, seed: 71)
    var y = x
    rope(&y, tokens: 1, heads: 2, headDim: 64, positions: [0], base: 10_000, mode: .normal)
    #expect(y == x)
}
