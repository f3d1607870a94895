import Kernels
import ModelFiles

/// Maps a GGUF file's `general.architecture` to the code that runs it. A new architecture is a
/// new folder plus one line here.
public enum ModelRegistry {
    public typealias Loader = @Sendable (GGUFFile, ThreadPool) throws(ModelError) -> any LanguageModel

    static let loaders: [String: Loader] = [
        "llama": { file, pool throws(ModelError) in try LlamaModel(file: file, pool: pool) },
        "gemma3": { file, pool throws(ModelError) in try Gemma3Model(file: file, pool: pool) },
    ]

    public static var supportedArchitectures: [String] { loaders.keys.sorted() }

    public static func load(_ file: GGUFFile, pool: ThreadPool) throws(ModelError) -> any LanguageModel {
        guard let architecture = file.architecture else { throw .missingArchitecture }
        guard let loader = loaders[architecture] else {
            throw .unknownArchitecture(architecture, known: supportedArchitectures)
        }
        return try loader(file, pool)
    }
}
