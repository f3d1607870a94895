import CKernels

extension TensorType {
    /// Whether matrices of this type can be multiplied (`WeightMatrix`, `matmul`).
    public var hasKernels: Bool { ck_type_has_matmul(Int32(rawValue)) != 0 }

    /// The type activations are quantized to before a dot product with weights of this type
    /// (ggml's vec_dot_type): Q8_0 for Q4_0/Q5_0/Q8_0, Q8_1 for Q4_1/Q5_1, Q8_K for K-quants.
    public var activationType: TensorType? {
        let raw = ck_activation_type(Int32(rawValue))
        return raw < 0 ? nil : TensorType(rawValue: UInt32(raw))
    }

    /// How many of a batch's first `tokens` rows `matmul` sums in a batch order (llama.cpp's
    /// repacked or tiled K-quant kernels): their results may differ from single-token ones in
    /// the last bits. 0 for most types.
    public func batchOrderTokens(_ tokens: Int) -> Int {
        Int(ck_batch_order_tokens(Int32(rawValue), Int32(clamping: tokens)))
    }

    /// Whether `dequantize` can decode this type.
    public var canDequantize: Bool { ck_block_size(Int32(rawValue)) > 0 }

    /// Whether `quantize` can encode this type.
    public var canQuantize: Bool {
        switch self {
        case .f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1, .q8_K, .q4_K, .q5_K, .q6_K: return true
        default: return false
        }
    }
}
