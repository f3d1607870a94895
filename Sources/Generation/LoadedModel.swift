import Foundation
import Kernels
import ModelFiles
import Models
import Tokenization

/// A model file opened for inference: the memory-mapped file, the architecture's model, its
/// tokenizer and the thread pool that runs it.
public final class LoadedModel: @unchecked Sendable {
    public let path: String
    public let file: GGUFFile
    public let model: any LanguageModel
    public let tokenizer: Tokenizer
    public let pool: ThreadPool

    /// The file SmolLM2-135M-Instruct Q4_1 is installed as by scripts/setup.sh.
    public static let defaultModelFileName = "SmolLM2-135M-Instruct.Q4_1.gguf"

    /// `$MUSE_MODEL`, else `$MUSE_CACHE/models/<default>` (MUSE_CACHE defaults to ~/.cache/muse).
    public static var defaultModelPath: String {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["MUSE_MODEL"], !path.isEmpty { return path }
        let cache = environment["MUSE_CACHE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".cache/muse")
        return (cache as NSString).appendingPathComponent("models/\(defaultModelFileName)")
    }

    public init(path: String, threads: Int) throws(GenerationError) {
        guard FileManager.default.fileExists(atPath: path) else { throw .modelMissing(path) }
        self.path = path
        do { file = try GGUFFile(path: path) } catch { throw .modelFile(path, error) }
        pool = ThreadPool(threadCount: max(1, threads))
        do { model = try ModelRegistry.load(file, pool: pool) } catch { throw .modelLoad(path, error) }
        do { tokenizer = try Tokenizer(gguf: file) } catch { throw .tokenizer(path, error) }
    }
}
