import ModelFiles

/// Token types as numbered in GGUF's `tokenizer.ggml.token_type`.
public enum TokenType: Int, Sendable {
    /// Written by some converters for plain tokens; treated as `.normal`.
    case undefined = 0
    case normal = 1
    case unknown = 2
    case control = 3
    case userDefined = 4
    case unused = 5
    case byte = 6
}

/// Which algorithm turns a piece of text into tokens.
public enum VocabularyModel: String, Sendable {
    /// GPT-2 byte-level BPE with ranked merges (`tokenizer.ggml.model = "gpt2"`).
    case bytePairEncoding = "gpt2"
    /// SentencePiece-style score-driven merges with byte fallback (`tokenizer.ggml.model = "llama"`).
    case sentencePiece = "llama"
}

/// Everything a tokenizer needs, as plain values: built from GGUF metadata or by hand in tests.
public struct Vocabulary: Sendable, Equatable {
    public var model: VocabularyModel
    public var tokens: [String]
    /// One per token; empty means every token is `.normal`.
    public var types: [TokenType]
    /// BPE merges "left right", rank = index.
    public var merges: [String]
    /// SentencePiece scores, one per token (higher merges first).
    public var scores: [Float]
    public var bosID: Int?
    public var eosID: Int?
    public var unknownID: Int?
    public var paddingID: Int?
    /// End-of-turn token some chat models emit instead of EOS (`tokenizer.ggml.eot_token_id`).
    public var eotID: Int?
    public var addBOS: Bool
    public var addEOS: Bool
    /// SentencePiece only: prepend "▁" to the first piece of text.
    public var addSpacePrefix: Bool
    /// `tokenizer.ggml.pre`; "default" selects the GPT-2 pattern.
    public var preTokenizer: String
    public var chatTemplate: String?

    public init(
        model: VocabularyModel, tokens: [String], types: [TokenType] = [], merges: [String] = [],
        scores: [Float] = [], bosID: Int? = nil, eosID: Int? = nil, unknownID: Int? = nil,
        paddingID: Int? = nil, eotID: Int? = nil, addBOS: Bool = false, addEOS: Bool = false,
        addSpacePrefix: Bool = false, preTokenizer: String = "default", chatTemplate: String? = nil
    ) {
        self.model = model
        self.tokens = tokens
        self.types = types
        self.merges = merges
        self.scores = scores
        self.bosID = bosID
        self.eosID = eosID
        self.unknownID = unknownID
        self.paddingID = paddingID
        self.eotID = eotID
        self.addBOS = addBOS
        self.addEOS = addEOS
        self.addSpacePrefix = addSpacePrefix
        self.preTokenizer = preTokenizer
        self.chatTemplate = chatTemplate
    }

    public func type(of id: Int) -> TokenType {
        types.indices.contains(id) ? types[id] : .normal
    }
}

extension Vocabulary {
    /// Reads the `tokenizer.*` keys of a GGUF file.
    public init(gguf: GGUFFile) throws(TokenizationError) {
        let modelName = try Self.lookUp { () throws(ModelFileError) in try gguf.string("tokenizer.ggml.model") }
        guard let model = VocabularyModel(rawValue: modelName) else { throw .unsupportedModel(modelName) }
        let tokens = try Self.lookUp { () throws(ModelFileError) in try gguf.stringArray("tokenizer.ggml.tokens") }
        var types: [TokenType] = []
        if gguf.metadata["tokenizer.ggml.token_type"] != nil {
            let raw = try Self.lookUp { () throws(ModelFileError) in try gguf.intArray("tokenizer.ggml.token_type") }
            types.reserveCapacity(raw.count)
            for (id, value) in raw.enumerated() {
                guard let type = TokenType(rawValue: value) else { throw .unknownTokenType(id: id, value: value) }
                types.append(type)
            }
        }
        var merges: [String] = []
        if gguf.metadata["tokenizer.ggml.merges"] != nil {
            merges = try Self.lookUp { () throws(ModelFileError) in try gguf.stringArray("tokenizer.ggml.merges") }
        }
        var scores: [Float] = []
        if gguf.metadata["tokenizer.ggml.scores"] != nil {
            scores = try Self.lookUp { () throws(ModelFileError) in try gguf.floatArray("tokenizer.ggml.scores") }
        }
        let metadata = gguf.metadata
        self.init(
            model: model, tokens: tokens, types: types, merges: merges, scores: scores,
            bosID: metadata["tokenizer.ggml.bos_token_id"]?.intValue,
            eosID: metadata["tokenizer.ggml.eos_token_id"]?.intValue,
            unknownID: metadata["tokenizer.ggml.unknown_token_id"]?.intValue,
            paddingID: metadata["tokenizer.ggml.padding_token_id"]?.intValue,
            eotID: metadata["tokenizer.ggml.eot_token_id"]?.intValue,
            // Defaults follow the format's conventions: SentencePiece vocabularies add BOS and a space prefix.
            addBOS: metadata["tokenizer.ggml.add_bos_token"]?.boolValue ?? (model == .sentencePiece),
            addEOS: metadata["tokenizer.ggml.add_eos_token"]?.boolValue ?? false,
            addSpacePrefix: metadata["tokenizer.ggml.add_space_prefix"]?.boolValue ?? (model == .sentencePiece),
            preTokenizer: metadata["tokenizer.ggml.pre"]?.stringValue ?? "default",
            chatTemplate: metadata["tokenizer.chat_template"]?.stringValue
        )
    }

    private static func lookUp<T>(_ read: () throws(ModelFileError) -> T) throws(TokenizationError) -> T {
        do { return try read() } catch { throw .metadata(error) }
    }

    /// Checks sizes and special ids; called by `Tokenizer.init`.
    func validate() throws(TokenizationError) {
        guard !tokens.isEmpty else { throw .emptyVocabulary }
        if !types.isEmpty && types.count != tokens.count {
            throw .countMismatch(what: "tokenizer.ggml.token_type", expected: tokens.count, found: types.count)
        }
        if model == .sentencePiece && !scores.isEmpty && scores.count != tokens.count {
            throw .countMismatch(what: "tokenizer.ggml.scores", expected: tokens.count, found: scores.count)
        }
        let specials: [(String, Int?)] = [
            ("bos", bosID), ("eos", eosID), ("unknown", unknownID), ("padding", paddingID), ("eot", eotID),
        ]
        for case let (name, id?) in specials where !tokens.indices.contains(id) {
            throw .specialIDOutOfRange(name: name, id: id, vocabularySize: tokens.count)
        }
    }
}
