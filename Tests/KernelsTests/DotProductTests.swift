import Kernels
import Testing

// AVX2 and scalar twins do the same integer sums per block and differ only in the order of
// f32 additions: a few ulps of the sum of |terms|.
let backendParityRelativeTolerance = 1e-5
// Against a float dot of the dequantized weights with the unquantized activations, the error is
// the activation quantization: <= 0.56 steps of amax/127 per element, so about
// |w|*|x|*sqrt(3/n)/127/... in practice under 1% of |w|*|x| (Cauchy-Schwarz scale) for 8-bit
// activations; f16/bf16 activations are far closer.
let quantizedDotRelativeTolerance = 0.01

@Test(arguments: weightTypes)
func dotMatchesDequantizedReference(type: TensorType) throws {
    let count = 1024
    let weights = randomFloats(count, seed: 100 + UInt64(type.rawValue), scale: 0.05)
    let activations = randomFloats(count, seed: 200 + UInt64(type.rawValue))
    let encoded = try quantized(type, weights)
    guard let activationType = type.activationType else {
        Issue.record("\(type) has no activation type")
        return
    }
    let encodedActivations = try quantized(activationType, activations)
    let reference = doubleDot(dequantized(type, encoded, count: count), activations)
    let scaleOfSum = norm(dequantized(type, encoded, count: count)) * norm(activations)
    var results: [KernelBackend: Float] = [:]
    for backend in testedBackends {
        let dot = try encoded.withUnsafeBytes { w in
            try encodedActivations.withUnsafeBytes { a in
                try vectorDot(weightType: type, count: count, weights: w.baseAddress!, activations: a.baseAddress!,
                              backend: backend)
            }
        }
        results[backend] = dot
        #expect(abs(Double(dot) - reference) <= quantizedDotRelativeTolerance * scaleOfSum,
                "\(type) \(backend): \(dot) vs \(reference)")
    }
    if let scalar = results[.scalar], let avx2 = results[.avx2] {
        #expect(abs(Double(scalar - avx2)) <= backendParityRelativeTolerance * scaleOfSum,
                "\(type): scalar \(scalar) avx2 \(avx2)")
    }
}

@Test func q4_1DotIsExactOnIntegers() throws {
    // Weights 0...15 (d = 1, m = 0) and activations whose Q8_1 encoding is exact (amax = 127 in
    // every block):
    // every step is an integer, so the result is exact in both backends.
    let count = 64
    let weights = (0..<count).map { Float($0 % 16) }
    let activations: [Float] = (0..<count).map { (i: Int) -> Float in
        let small: Int = (i * 37) % 41 - 20
        return i % 32 == 0 ? 127 : Float(small)
    }
    let encoded = try quantized(.q4_1, weights)
    let encodedActivations = try quantized(.q8_1, activations)
    let expected = doubleDot(weights, activations)
    for backend in testedBackends {
        let dot = try encoded.withUnsafeBytes { w in
            try encodedActivations.withUnsafeBytes { a in
                try vectorDot(weightType: .q4_1, count: count, weights: w.baseAddress!, activations: a.baseAddress!,
                              backend: backend)
            }
        }
        #expect(Double(dot) == expected, "\(backend)")
    }
}
