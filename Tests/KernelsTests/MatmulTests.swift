import Kernels
import Testing

// matmul runs the same row kernel as vectorDot: with equal inputs the results are identical,
// whatever the thread split or token count (each row's sum is done in one fixed order) -- except
// for the tokens a K-quant sums in llama.cpp's batch order, which differ only in float rounding.
let batchOrderRelativeTolerance = 1e-5
@Test(arguments: weightTypes)
func matmulMatchesRowDots(type: TensorType) throws {
    let rows = 37, cols = 512, tokens = 7 // 4 + 2 + 1: every token-group kernel
    let weights = randomFloats(rows * cols, seed: 300 + UInt64(type.rawValue), scale: 0.05)
    let input = randomFloats(tokens * cols, seed: 400)
    let encoded = try quantized(type, weights)
    guard let activationType = type.activationType else { return }
    let rowBytes = bytes(type, cols), actBytes = bytes(activationType, cols)
    for backend in testedBackends {
        // Expected: one vectorDot per (token, row).
        var expected = [Float](repeating: 0, count: tokens * rows)
        for t in 0..<tokens {
            let act = try quantized(activationType, Array(input[t * cols..<(t + 1) * cols]), backend: backend)
            #expect(act.count == actBytes)
            for r in 0..<rows {
                expected[t * rows + r] = try encoded.withUnsafeBytes { w in
                    try act.withUnsafeBytes { a in
                        try vectorDot(weightType: type, count: cols, weights: w.baseAddress! + r * rowBytes,
                                      activations: a.baseAddress!, backend: backend)
                    }
                }
            }
        }
        for threads in [1, 2, 3] {
            let pool = ThreadPool(threadCount: threads)
            let scratch = MatmulScratch(maxTokens: 2, maxCols: 64) // too small on purpose: it must grow
            var output = [Float](repeating: .nan, count: tokens * rows)
            try encoded.withUnsafeBytes { w in
                let matrix = try WeightMatrix(type: type, rows: rows, cols: cols, data: w.baseAddress!)
                input.withUnsafeBufferPointer { x in
                    output.withUnsafeMutableBufferPointer { y in
                        matmul(matrix, input: x.baseAddress!, tokens: tokens, output: y.baseAddress!,
                               scratch: scratch, pool: pool, backend: backend)
                    }
                }
            }
            let batched = type.batchOrderTokens(tokens)
            #expect(output[(batched * rows)...] == expected[(batched * rows)...], "\(type) \(backend) threads \(threads)")
            let scale = Double(expected.map(abs).max() ?? 1)
            for i in 0..<(batched * rows) {
                #expect(abs(Double(output[i] - expected[i])) <= batchOrderRelativeTolerance * scale, "\(type) element \(i)")
            }
        }
    }
}

// The K-quant batch orders: the scalar twins perform the same integer sums and the same fma
// chain as the AVX2 kernels, so both backends agree bit for bit, at every batch size.
@Test(arguments: [TensorType.q4_K, .q5_K, .q6_K])
func batchOrderBackendsAgree(type: TensorType) throws {
    guard KernelBackend.avx2Available else { return }
    let rows = 16, cols = 512
    let encoded = try quantized(type, randomFloats(rows * cols, seed: 11, scale: 0.05))
    for tokens in [4, 6, 8, 9] {
        let input = randomFloats(tokens * cols, seed: 12 + UInt64(tokens))
        let pool = ThreadPool(threadCount: 2)
        let scratch = MatmulScratch(maxTokens: tokens, maxCols: cols)
        var outputs: [[Float]] = []
        for backend in [KernelBackend.scalar, .avx2] {
            var output = [Float](repeating: .nan, count: tokens * rows)
            try encoded.withUnsafeBytes { w in
                let matrix = try WeightMatrix(type: type, rows: rows, cols: cols, data: w.baseAddress!)
                input.withUnsafeBufferPointer { x in
                    output.withUnsafeMutableBufferPointer { y in
                        matmul(matrix, input: x.baseAddress!, tokens: tokens, output: y.baseAddress!,
                               scratch: scratch, pool: pool, backend: backend)
                    }
                }
            }
            outputs.append(output)
        }
        #expect(outputs[0] == outputs[1], "\(type) tokens \(tokens)")
    }
    #expect(TensorType.q4_K.batchOrderTokens(6) == 4 && TensorType.q6_K.batchOrderTokens(7) == 0)
    #expect(TensorType.q6_K.batchOrderTokens(8) == 8 && TensorType.q4_1.batchOrderTokens(64) == 0)
}

@Test(arguments: [TensorType.q4_1, .q8_0, .q5_0, .q4_K, .f16])
func matmulSingleTokenMatchesBatchRows(type: TensorType) throws {
    // Decode (1 token) and prefill (many tokens, two-token kernels) must give the same numbers,
    // but for the tokens a K-quant sums in llama.cpp's batch order (checked above).
    let rows = 98, cols = 512, tokens = 9
    let encoded = try quantized(type, randomFloats(rows * cols, seed: 5, scale: 0.05))
    let input = randomFloats(tokens * cols, seed: 6)
    let pool = ThreadPool(threadCount: 2)
    let scratch = MatmulScratch(maxTokens: tokens, maxCols: cols)
    try encoded.withUnsafeBytes { w in
        let matrix = try WeightMatrix(type: type, rows: rows, cols: cols, data: w.baseAddress!)
        var batch = [Float](repeating: 0, count: tokens * rows)
        var single = [Float](repeating: 0, count: rows)
        input.withUnsafeBufferPointer { x in
            batch.withUnsafeMutableBufferPointer { y in
                matmul(matrix, input: x.baseAddress!, tokens: tokens, output: y.baseAddress!, scratch: scratch,
                       pool: pool)
            }
            for t in 0..<tokens {
                single.withUnsafeMutableBufferPointer { y in
                    matmul(matrix, input: x.baseAddress! + t * cols, tokens: 1, output: y.baseAddress!,
                           scratch: scratch, pool: pool)
                }
                if t >= type.batchOrderTokens(tokens) {
                    #expect(Array(batch[t * rows..<(t + 1) * rows]) == single, "\(type) token \(t)")
                }
            }
        }
    }
}

@Test func dequantizeRowDecodesTheRightRow() throws {
    let rows = 10, cols = 64
    let values = randomFloats(rows * cols, seed: 9)
    let encoded = try quantized(.q8_0, values)
    let all = dequantized(.q8_0, encoded, count: rows * cols)
    try encoded.withUnsafeBytes { w in
        let matrix = try WeightMatrix(type: .q8_0, rows: rows, cols: cols, data: w.baseAddress!)
        var row = [Float](repeating: 0, count: cols)
        row.withUnsafeMutableBufferPointer { dequantizeRow(matrix, row: 7, into: $0.baseAddress!) }
        #expect(row == Array(all[7 * cols..<8 * cols]))
    }
}

// Q, K and V (or gate and up) in one call: each output is what its own matmul gives, whether the
// matrices share a type (one dispatch) or not (one by one).
@Test(arguments: [1, 2, 7])
func groupedMatmulEqualsSeparateOnes(tokens: Int) throws {
    let cols = 256, rowCounts = [40, 12, 12]
    let input = randomFloats(tokens * cols, seed: 70 + UInt64(tokens))
    let pool = ThreadPool(threadCount: 2)
    let scratch = MatmulScratch(maxTokens: 1, maxCols: 32)
    for types in [[TensorType.q4_1, .q4_1, .q4_1], [.q8_0, .q8_0, .q8_0], [.q4_1, .q8_0, .q4_1]] {
        let encoded = try zip(types, rowCounts).enumerated().map { i, pair in
            try quantized(pair.0, randomFloats(pair.1 * cols, seed: 80 + UInt64(i), scale: 0.05))
        }
        var separate: [[Float]] = []
        var grouped = rowCounts.map { [Float](repeating: .nan, count: tokens * $0) }
        try withMatrices(types, rowCounts, cols, encoded) { matrices in
            for w in matrices {
                var out = [Float](repeating: .nan, count: tokens * w.rows)
                input.withUnsafeBufferPointer { x in
                    out.withUnsafeMutableBufferPointer { y in
                        matmul(w, input: x.baseAddress!, tokens: tokens, output: y.baseAddress!, scratch: scratch, pool: pool)
                    }
                }
                separate.append(out)
            }
            let outputs = grouped.indices.map { i in
                UnsafeMutablePointer<Float>.allocate(capacity: tokens * rowCounts[i])
            }
            defer { outputs.forEach { $0.deallocate() } }
            input.withUnsafeBufferPointer { x in
                matmul(matrices, input: x.baseAddress!, tokens: tokens, outputs: outputs, scratch: scratch, pool: pool)
            }
            for i in grouped.indices { grouped[i] = Array(UnsafeBufferPointer(start: outputs[i], count: tokens * rowCounts[i])) }
        }
        #expect(grouped == separate, "\(types) tokens \(tokens)")
    }
}

private func withMatrices(_ types: [TensorType], _ rows: [Int], _ cols: Int, _ encoded: [[UInt8]],
                          _ body: ([WeightMatrix]) throws -> Void) throws {
    let buffers = encoded.map { bytes -> UnsafeMutableRawPointer in
        let p = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 64)
        bytes.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        return p
    }
    defer { buffers.forEach { $0.deallocate() } }
    let matrices = try types.indices.map { try WeightMatrix(type: types[$0], rows: rows[$0], cols: cols, data: buffers[$0]) }
    try body(matrices)
}
