import Kernels
import Testing

// The reference rounds q and the probabilities to f16 as the kernel does but computes in double;
// a probability may still round to the neighbouring f16 (2^-11 relative), so outputs agree to
// about 2^-11 of the largest |v|.
let attentionAbsoluteTolerance: Float = 1e-3
// Backends differ only in f32 summation order.
let attentionBackendTolerance: Float = 1e-5

private struct AttentionCase {
    let tokens = 3, firstPosition = 5, heads = 9, kvHeads = 3, headDim = 64
    var window = 0   // > 0: sliding window, as in Gemma 3's local layers
    var context: Int { firstPosition + tokens }
    var rowWidth: Int { heads * headDim }
    var kvWidth: Int { kvHeads * headDim }
    var scale: Float { 1 / Float(headDim).squareRoot() }
    let query: [Float], keys: [UInt16], values: [UInt16]

    init() {
        query = randomFloats(3 * 9 * 64, seed: 81, scale: 2)
        keys = randomFloats(8 * 3 * 64, seed: 82, scale: 2).map(floatToHalf)
        values = randomFloats(8 * 3 * 64, seed: 83).map(floatToHalf)
    }

    /// Plain double math (with the kernel's f16 roundings of q and p).
    func reference() -> [Double] {
        var out = [Double](repeating: 0, count: tokens * rowWidth)
        for t in 0..<tokens {
            for h in 0..<heads {
                let kvh = h / (heads / kvHeads)
                let q = (0..<headDim).map { Double(halfToFloat(floatToHalf(query[t * rowWidth + h * headDim + $0]))) }
                let visible = firstPosition + t + 1
                let first = window > 0 ? max(0, visible - window) : 0
                let scores = (first..<visible).map { pos in
                    (0..<headDim).reduce(0.0) { $0 + q[$1] * Double(halfToFloat(keys[pos * kvWidth + kvh * headDim + $1])) }
                        * Double(scale)
                }
                let maxScore = scores.max() ?? 0
                let exps = scores.map { expDouble($0 - maxScore) }
                let sum = exps.reduce(0, +)
                let p = exps.map { Double(halfToFloat(floatToHalf(Float($0 / sum)))) }
                for d in 0..<headDim {
                    out[t * rowWidth + h * headDim + d] = (first..<visible).reduce(0.0) {
                        $0 + p[$1 - first] * Double(halfToFloat(values[$1 * kvWidth + kvh * headDim + d]))
                    }
                }
            }
        }
        return out
    }

    func run(backend: KernelBackend, threads: Int) -> [Float] {
        var output = [Float](repeating: .nan, count: tokens * rowWidth)
        let pool = ThreadPool(threadCount: threads)
        let scratch = AttentionScratch(maxContext: 4, threads: 1) // too small on purpose: it must grow
        attention(query: query, keys: keys, values: values, output: &output, tokens: tokens,
                  firstPosition: firstPosition, heads: heads, kvHeads: kvHeads, headDim: headDim, scale: scale,
                  window: window, scratch: scratch, pool: pool, backend: backend)
        return output
    }
}

@Test(arguments: [0, 1, 3, 6, 8])
func attentionMatchesDoubleReference(window: Int) {
    var c = AttentionCase()
    c.window = window
    let expected = c.reference()
    for backend in testedBackends {
        for threads in [1, 2] {
            let out = c.run(backend: backend, threads: threads)
            let worst = zip(out, expected).reduce(0.0) { max($0, abs(Double($1.0) - $1.1)) }
            #expect(worst <= Double(attentionAbsoluteTolerance), "\(backend) threads \(threads): \(worst)")
        }
    }
    if KernelBackend.avx2Available {
        let s = c.run(backend: .scalar, threads: 1), v = c.run(backend: .avx2, threads: 2)
        #expect(maxAbsDifference(s, v) <= attentionBackendTolerance)
    }
}

@Test func firstTokenAttendsOnlyToItself() {
    // At position 0 the only visible value row is row 0: the output is that row exactly.
    let headDim = 8, heads = 2
    let query = randomFloats(heads * headDim, seed: 91)
    let keys = randomFloats(headDim, seed: 92).map(floatToHalf)
    let values = randomFloats(headDim, seed: 93).map(floatToHalf)
    var output = [Float](repeating: 0, count: heads * headDim)
    attention(query: query, keys: keys, values: values, output: &output, tokens: 1, firstPosition: 0, heads: heads,
              kvHeads: 1, headDim: headDim, scale: 0.35, scratch: AttentionScratch(maxContext: 1, threads: 1),
              pool: ThreadPool(threadCount: 1))
    let row = values.map(halfToFloat)
    #expect(output == row + row)
}

/// The AVX2 kernel performs its twin's roundings in its order (that is what keeps our logits
/// equal to llama.cpp's), so the two agree bit for bit: in the single-token order (32 lanes) and
/// the batch order (8 lanes), over contexts longer than the lane rows, with a head size that
/// leaves a scalar tail, head sizes that take 64-column passes with and without a 32-column
/// rest, and under a sliding window.
@Test(arguments: [(1, 64, 0), (1, 64, 20), (4, 64, 0), (4, 64, 20), (1, 40, 0), (3, 12, 0), (1, 8, 9), (1, 96, 0), (1, 128, 5)])
func avx2AttentionEqualsItsScalarTwinExactly(tokens: Int, headDim: Int, window: Int) {
    guard KernelBackend.avx2Available else { return }
    let heads = 9, kvHeads = 3, firstPosition = 77
    let context = firstPosition + tokens
    let query = randomFloats(tokens * heads * headDim, seed: 181, scale: 2)
    let keys = randomFloats(context * kvHeads * headDim, seed: 182, scale: 2).map(floatToHalf)
    let values = randomFloats(context * kvHeads * headDim, seed: 183).map(floatToHalf)
    func run(_ backend: KernelBackend) -> [Float] {
        var output = [Float](repeating: .nan, count: tokens * heads * headDim)
        attention(query: query, keys: keys, values: values, output: &output, tokens: tokens, firstPosition: firstPosition,
                  heads: heads, kvHeads: kvHeads, headDim: headDim, scale: 1 / Float(headDim).squareRoot(), window: window,
                  scratch: AttentionScratch(maxContext: context, threads: 2), pool: ThreadPool(threadCount: 2),
                  backend: backend)
        return output
    }
    let scalar = run(.scalar), vector = run(.avx2)
    #expect(scalar.map(\.bitPattern) == vector.map(\.bitPattern))
}
