import Foundation
import ModelFiles
import Testing
import TestSupport
import Tokenization

/// The default model (installed by scripts/setup.sh) and llama.cpp's reference outputs for it.
enum ReferenceModel {
    static var path: String { TestModel.defaultPath }

    /// Loaded once: building the tokenizer reads 49,152 tokens and 48,900 merges.
    private static let loaded: Result<Tokenizer, any Error> = Result {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ReferenceModelMissing(path: path)
        }
        return try Tokenizer(gguf: GGUFFile(path: path))
    }

    static func tokenizer() throws -> Tokenizer { try loaded.get() }

    struct ReferenceModelMissing: Error, CustomStringConvertible {
        let path: String
        var description: String { "model missing at \(path): run scripts/setup.sh" }
    }

    struct Fixture: Decodable {
        struct Tokenized: Decodable {
            let text: String
            let ids: [Int]
        }
        struct Greedy: Decodable {
            let prompt: String
            let prompt_tokens: Int
            let content: String
        }
        let tokenize: [Tokenized]
        let greedy: [Greedy]
    }

    static func fixture() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/smollm2-135m-instruct-q4_1.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }
}
