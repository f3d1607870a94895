import Foundation
import Kernels
import ModelFiles
import Testing
import TestSupport

/// Reads the real default model (installed by scripts/setup.sh).
@Suite struct GGUFRealModelTests {
    static var modelPath: String { TestModel.defaultPath }

    @Test func readsTheDefaultModel() throws {
        let path = Self.modelPath
        try #require(FileManager.default.fileExists(atPath: path), "model missing at \(path): run scripts/setup.sh")
        let file = try GGUFFile(path: path)
        #expect(file.version == 3)
        #expect(file.fileSize == 98_362_432)
        #expect(file.tensors.count == 272)
        #expect(file.metadataKeys.count == 33)
        #expect(file.architecture == "llama")
        #expect(try file.int("llama.block_count") == 30)
        #expect(try file.int("llama.embedding_length") == 576)
        #expect(try file.float("llama.rope.freq_base") == 100_000)
        #expect(try file.string("tokenizer.ggml.pre") == "smollm")
        #expect(try file.bool("tokenizer.ggml.add_bos_token") == false)
        let tokens = try file.stringArray("tokenizer.ggml.tokens")
        #expect(tokens.count == 49_152)
        #expect(tokens[1] == "<|im_start|>")
        #expect(try file.stringArray("tokenizer.ggml.merges").count == 48_900)
        #expect(try file.intArray("tokenizer.ggml.token_type").count == 49_152)
        let embedding = try #require(file.tensor(named: "token_embd.weight"))
        #expect(embedding.dimensions == [576, 49_152])
        #expect(embedding.type == .q8_0)
        #expect(embedding.byteCount == 576 / 32 * 34 * 49_152)
        let down = try #require(file.tensor(named: "blk.0.ffn_down.weight"))
        #expect(down.dimensions == [1536, 576])
        #expect(down.type == .q4_1)
        #expect(file.data(for: down).count == down.byteCount)
        #expect(file.tensor(named: "output.weight") == nil)
        #expect(Array(file.data(for: embedding).prefix(8)) == [50, 25, 214, 13, 19, 247, 229, 238])
        let norm = try #require(file.tensor(named: "blk.0.attn_norm.weight"))
        let gains = file.data(for: norm).loadUnaligned(fromByteOffset: 4, as: Float.self)
        #expect(abs(gains - 0.02380371) < 1e-7)
    }

    /// Values printed by gguf-py's GGUFReader for the same file.
    @Test func matchesTheReferenceReader() throws {
        let path = Self.modelPath
        try #require(FileManager.default.fileExists(atPath: path), "model missing at \(path): run scripts/setup.sh")
        let file = try GGUFFile(path: path)
        #expect(file.dataOffset == 1_785_664)
        #expect(file.alignment == 32)
        #expect(file.metadataKeys.prefix(3) == ["general.architecture", "general.type", "general.name"])
        #expect(file.metadataKeys.last == "general.quantization_version")
        #expect(try file.string("general.name") == "Smollm2 135M 8k Lc100K Mix1 Ep2")
        #expect(try file.stringArray("general.languages") == ["en"])
        #expect(try file.int("llama.attention.head_count") == 9)
        #expect(try file.int("llama.attention.head_count_kv") == 3)
        #expect(try file.int("llama.feed_forward_length") == 1536)
        #expect(try file.int("llama.context_length") == 8192)
        #expect(try file.int("llama.rope.dimension_count") == 64)
        #expect(try file.int("llama.vocab_size") == 49_152)
        #expect(file.metadata["llama.attention.layer_norm_rms_epsilon"] == .float32(1e-5))
        #expect(try file.int("tokenizer.ggml.bos_token_id") == 1)
        #expect(try file.int("tokenizer.ggml.eos_token_id") == 2)
        #expect(try file.int("tokenizer.ggml.padding_token_id") == 2)
        #expect(try file.string("tokenizer.ggml.model") == "gpt2")
        #expect(try file.string("tokenizer.chat_template").hasPrefix("{% for message in messages %}"))
        let merges = try file.stringArray("tokenizer.ggml.merges")
        #expect(merges.first == "Ġ t")
        #expect(merges.last == "ect able")
        let tokens = try file.stringArray("tokenizer.ggml.tokens")
        #expect(tokens[300] == "om")
        #expect(tokens.last == "ectable")
        let tokenTypes = try file.intArray("tokenizer.ggml.token_type")
        #expect(tokenTypes.filter { $0 == 1 }.count == 49_135)
        #expect(tokenTypes.filter { $0 == 3 }.count == 17)

        #expect(file.tensors.filter { $0.type == .q4_1 }.count == 210)
        #expect(file.tensors.filter { $0.type == .f32 }.count == 61)
        #expect(file.tensors.filter { $0.type == .q8_0 }.count == 1)
        #expect(file.tensors.reduce(0) { $0 + $1.byteCount } == 96_576_768)
        let last = try #require(file.tensors.last)
        #expect(last.name == "output_norm.weight")
        #expect(last.offset == 96_574_464)
        #expect(last.byteCount == 2304)
        #expect(file.dataOffset + last.offset + last.byteCount <= file.fileSize)
        #expect(throws: ModelFileError.missingMetadata("no.such.key")) { try file.string("no.such.key") }
        #expect(throws: ModelFileError.wrongMetadataType(key: "llama.block_count", expected: "a string", found: "uint32")) {
            try file.string("llama.block_count")
        }
    }
}
