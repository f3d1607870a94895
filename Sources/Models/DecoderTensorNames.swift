/// Tensor names that llama and Gemma 3 share in GGUF (one table; Gemma3TensorNames adds its own).
enum DecoderTensorNames {
    static let tokenEmbedding = "token_embd.weight"
    static let outputNorm = "output_norm.weight"
    static let output = "output.weight"           // absent when tied to the token embedding

    static func attentionNorm(_ layer: Int) -> String { "blk.\(layer).attn_norm.weight" }
    static func query(_ layer: Int) -> String { "blk.\(layer).attn_q.weight" }
    static func key(_ layer: Int) -> String { "blk.\(layer).attn_k.weight" }
    static func value(_ layer: Int) -> String { "blk.\(layer).attn_v.weight" }
    static func attentionOutput(_ layer: Int) -> String { "blk.\(layer).attn_output.weight" }
    static func feedForwardNorm(_ layer: Int) -> String { "blk.\(layer).ffn_norm.weight" }
    static func gate(_ layer: Int) -> String { "blk.\(layer).ffn_gate.weight" }
    static func up(_ layer: Int) -> String { "blk.\(layer).ffn_up.weight" }
    static func down(_ layer: Int) -> String { "blk.\(layer).ffn_down.weight" }
}
