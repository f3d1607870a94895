import Foundation
import Kernels
import Models
import Tokenization

/// Sentence embeddings: the WordPiece tokenizer and the BERT encoder of a model folder
/// (`config.json`, `model.safetensors`, `vocab.txt`; all-MiniLM-L6-v2 by default).
public final class TextEmbedder: Sendable {
    public let folder: String
    public let tokenizer: WordPieceTokenizer
    public let encoder: BertEncoder

    /// Where scripts/setup.sh installs all-MiniLM-L6-v2: `$MUSE_EMBEDDER`, else under the model cache.
    public static var defaultFolder: String {
        let environment = ProcessInfo.processInfo.environment
        if let folder = environment["MUSE_EMBEDDER"], !folder.isEmpty { return folder }
        let cache = environment["MUSE_CACHE"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() + "/.cache/muse"
        return cache + "/models/all-MiniLM-L6-v2"
    }

    public init(folder: String, pool: ThreadPool) throws(GenerationError) {
        self.folder = folder
        guard FileManager.default.fileExists(atPath: folder + "/model.safetensors") else { throw .modelMissing(folder) }
        do { tokenizer = try WordPieceTokenizer(vocabularyFile: folder + "/vocab.txt") } catch { throw .tokenizer(folder, error) }
        do { encoder = try BertEncoder(folder: folder, pool: pool) } catch { throw .modelLoad(folder, error) }
        guard tokenizer.vocabulary.count == encoder.configuration.vocab_size else {
            throw .invalidArgument("\(folder): vocab.txt has \(tokenizer.vocabulary.count) tokens, the model \(encoder.configuration.vocab_size)")
        }
    }

    /// The text's tokens as the encoder reads them (truncated to its 512 positions).
    public func tokens(of text: String) -> [Int] { tokenizer.encode(text, maxTokens: encoder.maxTokens) }

    /// A unit-length vector; cosine similarity is the dot product.
    public func embed(_ text: String) throws(GenerationError) -> [Float] {
        do { return try encoder.embed(tokens(of: text)) } catch { throw .model(error) }
    }
}
