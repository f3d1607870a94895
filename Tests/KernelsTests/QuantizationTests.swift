import Kernels
import Testing

// Worst-case round-trip error of each encoding, relative to the block's largest magnitude:
// 4-bit with min: half a step of 1/15 of the range (range <= 2 amax) -> 1/15, plus f16 rounding.
let fourBitRoundTripTolerance: Float = 1.0 / 14
// Q4_0 maps the signed extreme to -8: the other side clips at +7 steps of amax/8.
let q4_0RoundTripTolerance: Float = 1.0 / 7.5
let fiveBitRoundTripTolerance: Float = 1.0 / 29
// Q5_0 maps the signed extreme to -16: the other side clips at +15 steps of amax/16.
let q5_0RoundTripTolerance: Float = 1.0 / 15.5
let sixBitRoundTripTolerance: Float = 1.0 / 30
// Half a step of amax/127, plus up to 127 steps of the f16 rounding of the scale (2^-11).
let eightBitRoundTripTolerance: Float = 1.0 / 220

@Test func halfConversionKnownValues() {
    let cases: [(Float, UInt16)] = [
        (0, 0x0000), (-0.0, 0x8000), (1, 0x3C00), (-2, 0xC000), (65504, 0x7BFF), (0.5, 0x3800),
        (Float.infinity, 0x7C00), (70000, 0x7C00), (5.960464477539063e-08, 0x0001), (6.103515625e-05, 0x0400),
        (1.0009765625, 0x3C01), (1.00048828125, 0x3C00), // halfway between 0x3C00 and 0x3C01 -> even
        (1.00146484375, 0x3C02), // halfway between 0x3C01 and 0x3C02 -> even
    ]
    for (value, bits) in cases {
        #expect(floatToHalf(value) == bits, "f16(\(value))")
    }
    for bits in [UInt16(0x0001), 0x03FF, 0x0400, 0x3C00, 0x7BFF, 0xC000, 0x8001] {
        #expect(floatToHalf(halfToFloat(bits)) == bits)
    }
    #expect(halfToFloat(0x7E00).isNaN)
}

@Test func halfConversionMatchesHardwareForAllHalves() throws {
    // Every f16 bit pattern and the midpoints between neighbours: scalar and F16C must agree.
    var values: [Float] = []
    for bits in 0..<UInt16(0x7C00) {
        let value = halfToFloat(bits)
        values.append(value)
        values.append(-value)
        values.append(value.nextUp)
        values.append((value + halfToFloat(bits + 1)) / 2)
    }
    let scalar = try quantized(.f16, values, backend: .scalar)
    for backend in testedBackends {
        var out = [UInt16](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                storeF16(s, count: values.count, into: d)
            }
        }
        let stored = out.withUnsafeBytes { Array($0) }
        #expect(stored == scalar, "\(backend)")
    }
}

@Test func bfloatRoundTrip() throws {
    let values: [Float] = [1, -1.5, 3.14159, 1e-20, 65504, -0.0]
    let decoded = dequantized(.bf16, try quantized(.bf16, values), count: values.count)
    for (v, d) in zip(values, decoded) {
        #expect(abs(v - d) <= abs(v) / 128, "bf16(\(v)) = \(d)")
    }
    #expect(decoded[0] == 1 && decoded[1] == -1.5)
}

@Test(arguments: [
    (TensorType.q4_0, q4_0RoundTripTolerance), (.q4_1, fourBitRoundTripTolerance),
    (.q5_0, q5_0RoundTripTolerance), (.q5_1, fiveBitRoundTripTolerance),
    (.q8_0, eightBitRoundTripTolerance), (.q8_1, eightBitRoundTripTolerance), (.q8_K, eightBitRoundTripTolerance),
    (.q4_K, fourBitRoundTripTolerance), (.q5_K, fiveBitRoundTripTolerance), (.q6_K, sixBitRoundTripTolerance),
])
func quantizeRoundTrip(type: TensorType, tolerance: Float) throws {
    let count = 1024
    let values = randomFloats(count, seed: 7)
    let decoded = dequantized(type, try quantized(type, values), count: count)
    let block = type.blockSize
    for start in stride(from: 0, to: count, by: block) {
        let slice = values[start..<start + block]
        let amax = slice.map(abs).max() ?? 0
        // K-quants share scales over the super-block; a 2x margin covers the 6-bit scale rounding.
        let limit = amax * tolerance * (block == 256 ? 2 : 1) + 1e-6
        for i in start..<start + block {
            #expect(abs(values[i] - decoded[i]) <= limit, "\(type) element \(i)")
        }
    }
}

@Test func activationQuantizersAgreeAcrossBackends() throws {
    let values = randomFloats(4096, seed: 11)
    for type in [TensorType.q8_0, .q8_1, .q8_K, .f16, .bf16] {
        let reference = try quantized(type, values, backend: .scalar)
        for backend in testedBackends {
            #expect(try quantized(type, values, backend: backend) == reference, "\(type) \(backend)")
        }
    }
}

@Test func q8_1StoresScaledSum() throws {
    let values = randomFloats(32, seed: 3)
    let block = try quantized(.q8_1, values)
    let d = halfToFloat(UInt16(block[0]) | UInt16(block[1]) << 8)
    let s = halfToFloat(UInt16(block[2]) | UInt16(block[3]) << 8)
    let sum = block[4..<36].reduce(0) { $0 + Int(Int8(bitPattern: $1)) }
    let amax = values.map(abs).max() ?? 0
    #expect(d == halfToFloat(floatToHalf(amax / 127)))
    #expect(s == halfToFloat(floatToHalf(amax / 127 * Float(sum))))
    #expect(block[4..<36].contains { Int8(bitPattern: $0) == 127 || Int8(bitPattern: $0) == -127 })
}

@Test func blockSizesMatchTensorType() {
    for type in weightTypes + [.q8_1, .q8_K] {
        let values = [Float](repeating: 0.25, count: 256)
        #expect((try? quantized(type, values))?.count == type.byteCount(elements: 256))
    }
}

@Test func rejectsBadInput() {
    let values = [Float](repeating: 1, count: 48)
    #expect(throws: KernelError.self) { try quantized(.q8_0, values) }
    #expect(throws: KernelError.self) { try quantized(.iq2_xs, [Float](repeating: 1, count: 256)) }
    let storage = [UInt8](repeating: 0, count: 1024)
    storage.withUnsafeBytes { raw in
        guard let data = raw.baseAddress else { return }
        #expect(throws: KernelError.self) { try WeightMatrix(type: .q4_1, rows: 4, cols: 48, data: data) }
        #expect(throws: KernelError.self) { try WeightMatrix(type: .q2_K, rows: 4, cols: 256, data: data) }
        #expect(throws: KernelError.self) { try WeightMatrix(type: .q4_K, rows: 1, cols: 128, data: data) }
        #expect((try? WeightMatrix(type: .q4_1, rows: 4, cols: 64, data: data))?.rowBytes == 40)
    }
}
