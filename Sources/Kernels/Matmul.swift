import CKernels

/// Scratch for `matmul`: the input quantized to the weight type's activation type.
/// Not thread-safe: one scratch per concurrent caller.
public final class MatmulScratch: @unchecked Sendable {
    // Largest activation encoding per element: f16/bf16 (2 bytes); Q8_0/Q8_1/Q8_K need less.
    static let maxActivationBytesPerElement = 2
    let memory: GrowableBuffer

    public init(maxTokens: Int, maxCols: Int) {
        memory = GrowableBuffer(capacity: max(1, maxTokens) * max(1, maxCols) * Self.maxActivationBytesPerElement)
    }
}

/// output[tokens, w.rows] = input[tokens, w.cols] * W^T.
///
/// The input is quantized once into `scratch`; rows are split over `pool`'s threads.
public func matmul(_ w: WeightMatrix, input: UnsafePointer<Float>, tokens: Int, output: UnsafeMutablePointer<Float>,
                   scratch: MatmulScratch, pool: ThreadPool) {
    matmul(w, input: input, tokens: tokens, output: output, scratch: scratch, pool: pool, backend: .active)
}

/// `matmul` with an explicit backend (parity tests, benchmarks). `.avx2` needs `avx2Available`.
public func matmul(_ w: WeightMatrix, input: UnsafePointer<Float>, tokens: Int, output: UnsafeMutablePointer<Float>,
                   scratch: MatmulScratch, pool: ThreadPool, backend: KernelBackend) {
    guard tokens > 0 else { return }
    precondition(backend == .scalar || KernelBackend.avx2Available, "AVX2 kernels need AVX2, FMA and F16C")
    let type = Int32(w.type.rawValue)
    let tokenCount = Int32(clamping: tokens)
    scratch.memory.reserve(ck_matmul_scratch_bytes(type, tokenCount, Int32(w.cols)))
    var args = ck_matmul_args(
        weight_type: type, rows: Int32(w.rows), cols: Int32(w.cols), weight: w.data, row_bytes: w.rowBytes,
        input: input, tokens: tokenCount, output: output, scratch: scratch.memory.pointer, scratch_bytes: scratch.memory.capacity,
        backend: backend.cValue)
    let status = ck_matmul(pool.handle, &args)
    precondition(status == CK_OK, "matmul \(w.type) \(w.rows)x\(w.cols), \(tokens) tokens: status \(status)")
}

/// outputs[i][tokens, ws[i].rows] = input[tokens, cols] * Wi^T for matrices applied to one input
/// (Q, K and V; gate and up). Matrices of one weight type share one quantization of the input and
/// one pass of the pool; others run one by one. Each output equals `matmul`'s bit for bit.
public func matmul(_ ws: [WeightMatrix], input: UnsafePointer<Float>, tokens: Int,
                   outputs: [UnsafeMutablePointer<Float>], scratch: MatmulScratch, pool: ThreadPool) {
    precondition(ws.count == outputs.count, "one output per matrix")
    guard tokens > 0, let first = ws.first else { return }
    let groupable = ws.count <= Int(CK_MATMUL_GROUP_MAX)
        && ws.allSatisfy { $0.type == first.type && $0.cols == first.cols }
    guard groupable else {
        for (w, output) in zip(ws, outputs) {
            matmul(w, input: input, tokens: tokens, output: output, scratch: scratch, pool: pool)
        }
        return
    }
    let type = Int32(first.type.rawValue)
    let tokenCount = Int32(clamping: tokens)
    scratch.memory.reserve(ck_matmul_scratch_bytes(type, tokenCount, Int32(first.cols)))
    withUnsafeTemporaryAllocation(of: ck_matmul_args.self, capacity: ws.count) { args in
        for (i, w) in ws.enumerated() {
            args[i] = ck_matmul_args(
                weight_type: type, rows: Int32(w.rows), cols: Int32(w.cols), weight: w.data, row_bytes: w.rowBytes,
                input: input, tokens: tokenCount, output: outputs[i], scratch: scratch.memory.pointer,
                scratch_bytes: scratch.memory.capacity, backend: KernelBackend.active.cValue)
        }
        let status = ck_matmul_group(pool.handle, args.baseAddress, Int32(ws.count))
        precondition(status == CK_OK, "matmul group of \(ws.count) \(first.type), \(tokens) tokens: status \(status)")
    }
}
