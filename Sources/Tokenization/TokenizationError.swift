import ModelFiles

/// Why a tokenizer could not be built. Each case says what is wrong with the vocabulary.
public enum TokenizationError: Error, CustomStringConvertible, Equatable {
    /// A GGUF metadata look-up failed (missing key, wrong type).
    case metadata(ModelFileError)
    case unsupportedModel(String)
    case unsupportedPreTokenizer(String)
    case emptyVocabulary
    case countMismatch(what: String, expected: Int, found: Int)
    case unknownTokenType(id: Int, value: Int)
    case specialIDOutOfRange(name: String, id: Int, vocabularySize: Int)
    case malformedMerge(index: Int, text: String)
    /// A WordPiece vocabulary file that cannot be read or lacks a required token.
    case wordPieceVocabulary(String)

    public var description: String {
        switch self {
        case .metadata(let error): return "tokenizer metadata: \(error)"
        case .unsupportedModel(let name):
            return "tokenizer model '\(name)' is not supported (supported: gpt2, llama)"
        case .unsupportedPreTokenizer(let name):
            return "pre-tokenizer '\(name)' is not supported (supported: \(PreTokenizer.supportedNames.joined(separator: ", ")))"
        case .emptyVocabulary: return "the vocabulary has no tokens"
        case .countMismatch(let what, let expected, let found):
            return "\(what) has \(found) entries, expected \(expected) (one per token)"
        case .unknownTokenType(let id, let value):
            return "token \(id) has unknown type \(value) (0-6 are defined)"
        case .specialIDOutOfRange(let name, let id, let size):
            return "\(name) id \(id) is outside the vocabulary (0..<\(size))"
        case .malformedMerge(let index, let text):
            return "merge \(index) '\(text)' is not two space-separated parts"
        case .wordPieceVocabulary(let reason): return "WordPiece vocabulary: \(reason)"
        }
    }
}
