import ModelFiles
import Testing
import Tokenization

/// Vocabularies read from GGUF metadata written in memory.
@Suite struct VocabularyTests {
    private func file(_ metadata: [(String, GGUFValue)]) throws -> GGUFFile {
        var writer = GGUFWriter()
        for (key, value) in metadata { writer.set(key, value) }
        return try GGUFFile(bytes: writer.bytes())
    }

    private func strings(_ values: [String]) -> GGUFValue { .array(.string, values.map { .string($0) }) }

    @Test func readsATinyByteLevelVocabulary() throws {
        let gguf = try file([
            ("tokenizer.ggml.model", .string("gpt2")),
            ("tokenizer.ggml.pre", .string("llama-bpe")),
            ("tokenizer.ggml.tokens", strings(["<|eot_id|>", "a", "b", "ab"])),
            ("tokenizer.ggml.token_type", .array(.int32, [.int32(3), .int32(1), .int32(1), .int32(1)])),
            ("tokenizer.ggml.merges", strings(["a b"])),
            ("tokenizer.ggml.eos_token_id", .uint32(0)),
            ("tokenizer.chat_template", .string("<|start_header_id|>")),
        ])
        let tokenizer = try Tokenizer(gguf: gguf)
        #expect(tokenizer.vocabularySize == 4)
        #expect(tokenizer.preTokenizer == .llama3)
        #expect(tokenizer.encode("abab") == [3, 3])
        #expect(tokenizer.endOfGenerationIDs == [0])
        #expect(tokenizer.chatTemplate == .llama3)
        #expect(tokenizer.bosID == nil)
        #expect(tokenizer.addBOS == false)
    }

    @Test func missingOrUnsupportedMetadataIsATypedError() throws {
        #expect(throws: TokenizationError.metadata(.missingMetadata("tokenizer.ggml.model"))) {
            try Tokenizer(gguf: file([]))
        }
        #expect(throws: TokenizationError.unsupportedModel("bert")) {
            try Tokenizer(gguf: file([("tokenizer.ggml.model", .string("bert"))]))
        }
        #expect(throws: TokenizationError.metadata(.missingMetadata("tokenizer.ggml.tokens"))) {
            try Tokenizer(gguf: file([("tokenizer.ggml.model", .string("gpt2"))]))
        }
        #expect(throws: TokenizationError.unknownTokenType(id: 1, value: 9)) {
            try Tokenizer(gguf: file([
                ("tokenizer.ggml.model", .string("gpt2")),
                ("tokenizer.ggml.tokens", strings(["a", "b"])),
                ("tokenizer.ggml.token_type", .array(.int32, [.int32(1), .int32(9)])),
            ]))
        }
    }

    @Test func errorsSayWhatIsWrong() {
        #expect(TokenizationError.unsupportedPreTokenizer("x").description.contains("'x' is not supported"))
        #expect(TokenizationError.specialIDOutOfRange(name: "bos", id: 9, vocabularySize: 4).description
            == "bos id 9 is outside the vocabulary (0..<4)")
    }
}
