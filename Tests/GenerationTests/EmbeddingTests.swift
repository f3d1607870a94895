import Foundation
import Generation
import Kernels
import Testing

/// all-MiniLM-L6-v2 against an independent NumPy float64 forward pass and Hugging Face's
/// tokenizer (Tests/Fixtures/all-minilm-l6-v2.json).
@Suite(.serialized) struct EmbeddingTests {
    /// F32 matrix products against a float64 reference, through 6 layers and layer norms.
    static let componentTolerance: Float = 2e-4
    static let cosineTolerance = 1e-4

    struct Reference: Decodable {
        struct Text: Decodable { let text: String; let ids: [Int]; let embedding: [Float] }
        struct Pair: Decodable { let a: Int; let b: Int; let cosine: Double }
        let texts: [Text]
        let cosines: [Pair]
    }

    static func reference() throws -> Reference {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures/all-minilm-l6-v2.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    static func embedder() throws -> TextEmbedder {
        let folder = TextEmbedder.defaultFolder
        guard FileManager.default.fileExists(atPath: folder) else {
            Issue.record("embedding model missing at \(folder): run scripts/setup.sh")
            throw GenerationError.modelMissing(folder)
        }
        return try TextEmbedder(folder: folder, pool: ThreadPool(threadCount: 2))
    }

    @Test func tokensAndEmbeddingsMatchTheReference() throws {
        let reference = try Self.reference()
        let embedder = try Self.embedder()
        var vectors: [[Float]] = []
        for item in reference.texts {
            #expect(embedder.tokens(of: item.text) == item.ids, "\(item.text.debugDescription)")
            let vector = try embedder.embed(item.text)
            #expect(vector.count == 384)
            let worst = zip(vector, item.embedding).map { abs($0 - $1) }.max() ?? 1
            #expect(worst <= Self.componentTolerance, "\(item.text.debugDescription): worst component difference \(worst)")
            vectors.append(vector)
        }
        for pair in reference.cosines {
            let cosine = zip(vectors[pair.a], vectors[pair.b]).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            #expect(abs(cosine - pair.cosine) <= Self.cosineTolerance, "cosine \(pair.a)-\(pair.b): \(cosine) vs \(pair.cosine)")
        }
    }

    @Test func aBrokenFolderIsAClearError() throws {
        let folder = NSTemporaryDirectory() + "muse-embedder-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(throws: GenerationError.self) { _ = try TextEmbedder(folder: folder, pool: ThreadPool(threadCount: 1)) }
        try Data("not a safetensors file".utf8).write(to: URL(fileURLWithPath: folder + "/model.safetensors"))
        try Data("[PAD]\n[UNK]\n[CLS]\n[SEP]\n".utf8).write(to: URL(fileURLWithPath: folder + "/vocab.txt"))
        try Data(#"{"hidden_size":4}"#.utf8).write(to: URL(fileURLWithPath: folder + "/config.json"))
        #expect(throws: GenerationError.self) { _ = try TextEmbedder(folder: folder, pool: ThreadPool(threadCount: 1)) }
    }
}
