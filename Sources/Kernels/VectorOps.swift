import CKernels

/// output = x / sqrt(mean(x^2) + eps) * weight (sum of squares accumulated in double, like ggml).
public func rmsNorm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, count: Int, eps: Float,
                    output: UnsafeMutablePointer<Float>) {
    ck_rms_norm(x, weight, Int32(clamping: count), eps, output)
}

/// How RoPE pairs dimensions within a head.
public enum RopeMode: Sendable {
    /// Adjacent pairs (x[2i], x[2i+1]): llama.
    case normal
    /// Halves (x[i], x[i + headDim/2]): GPT-NeoX, Gemma, Qwen.
    case neox

    // ggml's rope mode numbers.
    var cValue: Int32 { self == .normal ? 0 : 2 }
}

/// Rotates x[tokens, heads, headDim] in place; token t sits at `positions[t]`.
public func rope(_ x: UnsafeMutablePointer<Float>, tokens: Int, heads: Int, headDim: Int,
                 positions: UnsafePointer<Int32>, base: Float, mode: RopeMode) {
    ck_rope(x, Int32(clamping: tokens), Int32(clamping: heads), Int32(clamping: headDim), positions, base,
            mode.cValue)
}

/// output = silu(gate) * up, silu(x) = x / (1 + e^-x).
public func siluMul(gate: UnsafePointer<Float>, up: UnsafePointer<Float>, count: Int,
                    output: UnsafeMutablePointer<Float>) {
    ck_silu_mul(gate, up, Int32(clamping: count), output)
}

/// output = gelu(gate) * up with the tanh approximation of GELU.
public func geluMul(gate: UnsafePointer<Float>, up: UnsafePointer<Float>, count: Int,
                    output: UnsafeMutablePointer<Float>) {
    ck_gelu_mul(gate, up, Int32(clamping: count), output)
}

/// x = cap * tanh(x / cap), elementwise.
public func softcap(_ x: UnsafeMutablePointer<Float>, cap: Float, count: Int) {
    ck_softcap(x, cap, Int32(clamping: count))
}

/// x += y.
public func add(_ x: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, count: Int) {
    ck_add(x, y, Int32(clamping: count))
}

/// x *= factor.
public func scale(_ x: UnsafeMutablePointer<Float>, by factor: Float, count: Int) {
    ck_scale(x, factor, Int32(clamping: count))
}

/// In-place softmax of one row (exp in f32, sum in double).
public func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
    guard count > 0 else { return }
    ck_softmax(x, Int32(clamping: count))
}

/// into[i] = f16(src[i]), rounding to nearest even (writes K/V rows into an f16 cache).
public func storeF16(_ src: UnsafePointer<Float>, count: Int, into: UnsafeMutablePointer<UInt16>) {
    ck_store_f16(src, into, Int64(count))
}

/// IEEE half <-> float for single values.
public func halfToFloat(_ h: UInt16) -> Float { ck_f16_to_f32(h) }
public func floatToHalf(_ f: Float) -> UInt16 { ck_f32_to_f16(f) }
