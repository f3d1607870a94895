import ModelFiles

/// Everything that can go wrong turning a model file into a runnable model.
public enum ModelError: Error, CustomStringConvertible {
    case unknownArchitecture(String, known: [String])
    case missingArchitecture
    case file(ModelFileError)
    case invalidHyperparameter(key: String, value: String, reason: String)
    case missingTensor(String)
    case wrongShape(tensor: String, expected: [Int], found: [Int])
    case unsupportedTensorType(tensor: String, type: String)
    case unusedTensors([String])
    case contextFull(position: Int, tokens: Int, limit: Int)
    case batchTooLarge(tokens: Int, limit: Int)
    case tokenOutOfRange(Int, vocabularySize: Int)
    /// A negative placeholder id whose embedding row was not supplied with the prompt.
    case unknownEmbeddingRow(Int)
    /// Spliced embedding rows of another width than the model's.
    case embeddingWidth(expected: Int, found: Int)
    case emptyInput

    public var description: String {
        switch self {
        case .unknownArchitecture(let name, let known):
            return "unsupported model architecture '\(name)' (supported: \(known.joined(separator: ", ")))"
        case .missingArchitecture:
            return "the model file does not name its architecture (general.architecture)"
        case .file(let error):
            return "\(error)"
        case .invalidHyperparameter(let key, let value, let reason):
            return "invalid hyper-parameter \(key) = \(value): \(reason)"
        case .missingTensor(let name):
            return "the model file lacks tensor '\(name)'"
        case .wrongShape(let name, let expected, let found):
            return "tensor '\(name)' has shape \(found), expected \(expected)"
        case .unsupportedTensorType(let name, let type):
            return "tensor '\(name)' is stored as \(type), which this engine cannot compute with"
        case .unusedTensors(let names):
            let shown = names.prefix(5).joined(separator: ", ")
            return "the model file has \(names.count) tensor(s) this architecture does not use: \(shown)"
                + (names.count > 5 ? ", ..." : "")
        case .contextFull(let position, let tokens, let limit):
            return "context full: \(tokens) more token(s) at position \(position) exceed the context of \(limit)"
        case .batchTooLarge(let tokens, let limit):
            return "batch of \(tokens) tokens exceeds the session's batch size \(limit)"
        case .tokenOutOfRange(let id, let size):
            return "token id \(id) is outside the vocabulary (size \(size))"
        case .unknownEmbeddingRow(let id):
            return "placeholder id \(id) names no embedding row supplied with the prompt"
        case .embeddingWidth(let expected, let found):
            return "spliced embeddings are \(found) wide; the model's embedding is \(expected)"
        case .emptyInput:
            return "no tokens to evaluate"
        }
    }
}
