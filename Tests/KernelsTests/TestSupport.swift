import Kernels
import TestSupport

/// Floats roughly like activations: normal-ish around 0 with a few outliers.
func randomFloats(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
    var rng = SeededGenerator(seed: seed)
    return (0..<count).map { i in
        let sum = (0..<4).reduce(Float(0)) { acc, _ in acc + Float.random(in: -1...1, using: &rng) }
        let outlier: Float = i % 97 == 13 ? 6 : 1
        return sum * 0.5 * scale * outlier
    }
}

/// Bytes of `count` elements of `type`, or 0 when the count does not fit.
func bytes(_ type: TensorType, _ count: Int) -> Int { type.byteCount(elements: count) ?? 0 }

func quantized(_ type: TensorType, _ values: [Float], backend: KernelBackend = .active) throws -> [UInt8] {
    var out = [UInt8](repeating: 0, count: bytes(type, values.count))
    try values.withUnsafeBufferPointer { src in
        try out.withUnsafeMutableBytes { dst in
            guard let s = src.baseAddress, let d = dst.baseAddress else { return }
            try quantize(type: type, source: s, count: values.count, into: d, backend: backend)
        }
    }
    return out
}

func dequantized(_ type: TensorType, _ data: [UInt8], count: Int) -> [Float] {
    var out = [Float](repeating: 0, count: count)
    data.withUnsafeBytes { src in
        out.withUnsafeMutableBufferPointer { dst in
            guard let s = src.baseAddress, let d = dst.baseAddress else { return }
            dequantize(type: type, source: s, count: count, into: d)
        }
    }
    return out
}

func doubleDot(_ a: [Float], _ b: [Float]) -> Double {
    zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
}

func norm(_ a: [Float]) -> Double { doubleDot(a, a).squareRoot() }

func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
}

/// Backends worth testing on this machine.
var testedBackends: [KernelBackend] { KernelBackend.avx2Available ? [.scalar, .avx2] : [.scalar] }

/// Weight types with matmul kernels.
let weightTypes: [TensorType] = [.f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K, .q6_K]
