/// Gemma 3's own tensor names in GGUF; the rest are DecoderTensorNames.
enum Gemma3TensorNames {
    static func queryNorm(_ layer: Int) -> String { "blk.\(layer).attn_q_norm.weight" }
    static func keyNorm(_ layer: Int) -> String { "blk.\(layer).attn_k_norm.weight" }
    static func postAttentionNorm(_ layer: Int) -> String { "blk.\(layer).post_attention_norm.weight" }
    static func postFeedForwardNorm(_ layer: Int) -> String { "blk.\(layer).post_ffw_norm.weight" }
}
