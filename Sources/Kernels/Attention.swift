import CKernels

/// Per-thread buffers for `attention` (scores and probabilities over the context).
/// Not thread-safe: one scratch per concurrent caller.
public final class AttentionScratch: @unchecked Sendable {
    // Head size planned for at init; larger heads grow the buffer on first use.
    static let plannedHeadDim = 256
    let memory: GrowableBuffer

    public init(maxContext: Int, threads: Int) {
        memory = GrowableBuffer(capacity: ck_attention_scratch_bytes(
            Int32(clamping: max(1, maxContext)), Int32(Self.plannedHeadDim), Int32(clamping: max(1, threads))))
    }
}

/// Causal multi-head attention with grouped-query heads over an f16 KV cache, computed like
/// llama.cpp's non-flash path, bit for bit (see ck_attention.c).
/// Query t sits at position firstPosition + t and sees keys 0...firstPosition + t, or with a
/// sliding `window` > 0 only the last `window` of them (Gemma 3's local layers).
/// `heads` must be a multiple of `kvHeads`.
public func attention(query: UnsafePointer<Float>,        // [tokens, heads * headDim]
                      keys: UnsafePointer<UInt16>,         // f16 [>= firstPosition + tokens, kvHeads * headDim]
                      values: UnsafePointer<UInt16>,       // f16, same layout as keys
                      output: UnsafeMutablePointer<Float>, // [tokens, heads * headDim]
                      tokens: Int, firstPosition: Int,
                      heads: Int, kvHeads: Int, headDim: Int, scale: Float, window: Int = 0,
                      scratch: AttentionScratch, pool: ThreadPool, backend: KernelBackend = .active) {
    guard tokens > 0 else { return }
    precondition(backend == .scalar || KernelBackend.avx2Available, "AVX2 kernels need AVX2, FMA and F16C")
    let context = Int32(clamping: firstPosition + tokens)
    scratch.memory.reserve(ck_attention_scratch_bytes(context, Int32(clamping: headDim), Int32(pool.threadCount)))
    var args = ck_attention_args(
        query: query, keys: keys, values: values, output: output, tokens: Int32(clamping: tokens),
        first_position: Int32(clamping: firstPosition), heads: Int32(clamping: heads),
        kv_heads: Int32(clamping: kvHeads), head_dim: Int32(clamping: headDim),
        window: Int32(clamping: max(0, window)), scale: scale,
        scratch: scratch.memory.pointer, scratch_bytes: scratch.memory.capacity, backend: backend.cValue)
    let status = ck_attention(pool.handle, &args)
    precondition(status == CK_OK, "attention \(heads)/\(kvHeads) heads x \(headDim): status \(status)")
}

/// Attention of several sequences, each over its own KV cache, in one pool run (a continuous
/// batching step): fill entries with `set`, then `run`. The entry storage is allocated once.
public final class AttentionBatch: @unchecked Sendable {
    public let capacity: Int
    private let entries: UnsafeMutablePointer<ck_attention_args>

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        entries = .allocate(capacity: self.capacity)
    }

    deinit { entries.deallocate() }

    /// Entry `index`: `tokens` queries (rows of `query`/`output`) at positions firstPosition...
    public func set(_ index: Int, query: UnsafePointer<Float>, keys: UnsafePointer<UInt16>, values: UnsafePointer<UInt16>,
                    output: UnsafeMutablePointer<Float>, tokens: Int, firstPosition: Int) {
        precondition(index >= 0 && index < capacity, "attention batch entry out of range")
        entries[index] = ck_attention_args(
            query: query, keys: keys, values: values, output: output, tokens: Int32(clamping: tokens),
            first_position: Int32(clamping: firstPosition), heads: 0, kv_heads: 0, head_dim: 0, window: 0, scale: 0,
            scratch: nil, scratch_bytes: 0, backend: KernelBackend.active.cValue)
    }

    /// Runs entries 0..<count with the shared head layout, scale and window.
    public func run(count: Int, heads: Int, kvHeads: Int, headDim: Int, scale: Float, window: Int = 0,
                    scratch: AttentionScratch, pool: ThreadPool) {
        guard count > 0 else { return }
        precondition(count <= capacity, "attention batch of \(count) exceeds \(capacity)")
        var longest: Int32 = 1
        for i in 0..<count { longest = max(longest, entries[i].first_position + entries[i].tokens) }
        scratch.memory.reserve(ck_attention_scratch_bytes(longest, Int32(clamping: headDim), Int32(pool.threadCount)))
        for i in 0..<count {
            entries[i].heads = Int32(clamping: heads)
            entries[i].kv_heads = Int32(clamping: kvHeads)
            entries[i].head_dim = Int32(clamping: headDim)
            entries[i].window = Int32(clamping: max(0, window))
            entries[i].scale = scale
            entries[i].scratch = scratch.memory.pointer
            entries[i].scratch_bytes = scratch.memory.capacity
        }
        let status = ck_attention_batch(pool.handle, entries, Int32(count))
        precondition(status == CK_OK, "batched attention of \(count) sequences: status \(status)")
    }
}
