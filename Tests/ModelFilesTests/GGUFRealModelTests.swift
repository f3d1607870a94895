import Foundation
import Kernels
import ModelFiles
import Testing

/// Reads the real default model (installed by scripts/setup.sh).
@Suite struct GGUFRealModelTests {
    static var modelPath: String {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["MUSE_MODEL"], !path.isEmpty { return path }
        let cache = environment["MUSE_CACHE"] ?? NSHomeDirectory() + "/.cache/muse"
        return cache + "/models/SmolLM2-135M-Instruct.Q4_1.gguf"
    }

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
        #expect(throws: ModelFileError.missingMetadata("no.such.key")) { try file.string("no.such.key") }
        #expect(throws: ModelFileError.wrongMetadataType(key: "llama.block_count", expected: "a string", found: "uint32")) {
            try file.string("llama.block_count")
        }
    }
}
