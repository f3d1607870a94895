import ModelFiles

/// Text <-> token ids for one model's vocabulary. Immutable and shareable across threads.
public final class Tokenizer: Sendable {
    public let vocabulary: Vocabulary
    public let preTokenizer: PreTokenizer
    public let chatTemplate: ChatTemplate?
    /// Ids that end a generated reply: EOS, EOT and the end-of-turn markers of known chat formats.
    public let endOfGenerationIDs: Set<Int>

    private enum Encoder: Sendable {
        case bytePair(BytePairEncoder)
        case sentencePiece(SentencePieceEncoder)
    }

    private let encoder: Encoder
    private let specialTokens: SpecialTokenMatcher
    /// [vocabulary] raw bytes each token decodes to.
    private let pieces: [[UInt8]]
    /// [vocabulary] true for control, unknown and unused tokens, which decode to "" unless asked for.
    private let hiddenUnlessSpecial: [Bool]

    /// End-of-turn spellings of chat formats whose GGUF files do not always set an EOT id.
    private static let endOfTurnTexts = [
        "<|im_end|>", "<|eot_id|>", "<|eom_id|>", "<end_of_turn>", "<|endoftext|>", "<|end|>",
    ]

    public convenience init(gguf: GGUFFile) throws(TokenizationError) {
        try self.init(vocabulary: Vocabulary(gguf: gguf))
    }

    public init(vocabulary: Vocabulary) throws(TokenizationError) {
        try vocabulary.validate()
        self.vocabulary = vocabulary
        // id of a token's text; the SentencePiece encoder keeps its own (byte-keyed) table, so the
        // 262k-entry string dictionary of Gemma's vocabulary is never built.
        let tokenID: (String) -> Int?
        switch vocabulary.model {
        case .bytePairEncoding:
            var tokenIDs: [String: Int] = [:]
            tokenIDs.reserveCapacity(vocabulary.tokens.count)
            for (id, token) in vocabulary.tokens.enumerated() { tokenIDs[token] = id }
            preTokenizer = try PreTokenizer(name: vocabulary.preTokenizer)
            encoder = .bytePair(try BytePairEncoder(
                vocabulary: vocabulary, tokenIDs: tokenIDs, lookUpWholeWords: preTokenizer == .llama3))
            tokenID = { tokenIDs[$0] }
        case .sentencePiece:
            preTokenizer = .gpt2  // unused: SentencePiece does not pre-tokenize
            let sentencePiece = SentencePieceEncoder(vocabulary: vocabulary)
            encoder = .sentencePiece(sentencePiece)
            tokenID = { sentencePiece.id(of: $0) }
        }
        specialTokens = SpecialTokenMatcher(vocabulary: vocabulary)

        var pieces: [[UInt8]] = []
        var hidden: [Bool] = []
        pieces.reserveCapacity(vocabulary.tokens.count)
        hidden.reserveCapacity(vocabulary.tokens.count)
        for (id, token) in vocabulary.tokens.enumerated() {
            let type = vocabulary.type(of: id)
            hidden.append(type == .control || type == .unknown || type == .unused)
            pieces.append(Self.piece(of: token, type: type, model: vocabulary.model))
        }
        self.pieces = pieces

        var endIDs = Set([vocabulary.eosID, vocabulary.eotID].compactMap { $0 })
        // Matched by spelling whatever their type, as llama.cpp does: some converters mark them user-defined.
        for text in Self.endOfTurnTexts {
            if let id = tokenID(text) { endIDs.insert(id) }
        }
        for id in endIDs { hidden[id] = true }
        hiddenUnlessSpecial = hidden
        endOfGenerationIDs = endIDs
        chatTemplate = vocabulary.chatTemplate.flatMap(ChatTemplate.init(template:))
    }

    /// The bytes a token stands for: byte-level text mapped back to bytes, "▁" back to spaces, `<0xAB>`
    /// to its byte; special and user-defined tokens are their text as written.
    private static func piece(of token: String, type: TokenType, model: VocabularyModel) -> [UInt8] {
        switch type {
        case .control, .unknown, .unused, .userDefined:
            return Array(token.utf8)
        case .byte:
            if let byte = SentencePieceEncoder.byteValue(ofTokenText: token) { return [byte] }
        case .normal, .undefined:
            break
        }
        switch model {
        case .bytePairEncoding:
            return ByteLevelMapping.bytes(ofTokenText: token)
        case .sentencePiece:
            return SentencePieceEncoder.replacingSpaceMarkers(in: token)
        }
    }

    public var vocabularySize: Int { vocabulary.tokens.count }
    public var bosID: Int? { vocabulary.bosID }
    public var eosID: Int? { vocabulary.eosID }
    /// Whether `encode(_:addSpecial: true)` puts BOS first (`tokenizer.ggml.add_bos_token`).
    public var addBOS: Bool { vocabulary.addBOS }

    /// The raw vocabulary entry of `id` (byte-level spelling for BPE, "▁" for SentencePiece spaces).
    public func tokenText(_ id: Int) -> String? {
        vocabulary.tokens.indices.contains(id) ? vocabulary.tokens[id] : nil
    }

    public func tokenType(_ id: Int) -> TokenType? {
        vocabulary.tokens.indices.contains(id) ? vocabulary.type(of: id) : nil
    }

    /// Token ids of `text`. `addSpecial` adds BOS/EOS as the vocabulary asks; `parseSpecial` turns special
    /// tokens written in the text (e.g. "<|im_start|>") into their ids instead of tokenizing their spelling.
    public func encode(_ text: String, addSpecial: Bool = false, parseSpecial: Bool = true) -> [Int] {
        var output: [Int] = []
        output.reserveCapacity(text.utf8.count / 3 + 2)
        if addSpecial, vocabulary.addBOS, let bos = vocabulary.bosID { output.append(bos) }
        let utf8 = Array(text.utf8)
        var wordCache: [ArraySlice<UInt8>: [Int]] = [:]
        var afterSpecial = true
        for fragment in specialTokens.partition(utf8, includeControl: parseSpecial) {
            switch fragment {
            case .token(let id):
                output.append(id)
                afterSpecial = true
            case .text(let range):
                let piece = String(decoding: utf8[range], as: UTF8.self)
                switch encoder {
                case .bytePair(let bytePair):
                    encodeWords(piece, bytePair, &wordCache, into: &output)
                case .sentencePiece(let sentencePiece):
                    // llama.cpp prefixes a space to text at the start and after every special token.
                    let prefixed = vocabulary.addSpacePrefix && afterSpecial ? " " + piece : piece
                    sentencePiece.encode(prefixed.replacing(" ", with: SentencePieceEncoder.spaceMarker), into: &output)
                }
                afterSpecial = false
            }
        }
        if addSpecial, vocabulary.addEOS, let eos = vocabulary.eosID { output.append(eos) }
        return output
    }

    private func encodeWords(
        _ text: String, _ bytePair: BytePairEncoder, _ cache: inout [ArraySlice<UInt8>: [Int]],
        into output: inout [Int]
    ) {
        let scalars = ScalarText(text[...])
        let bytes = Array(text.utf8)
        for range in preTokenizer.wordRanges(scalars) {
            let word = bytes[scalars.byteOffsets[range.lowerBound]..<scalars.byteOffsets[range.upperBound]]
            if let cached = cache[word] {
                output.append(contentsOf: cached)
            } else {
                var tokens: [Int] = []
                bytePair.encode(word: word, into: &tokens)
                cache[word] = tokens
                output.append(contentsOf: tokens)
            }
        }
    }

    /// Text of `ids`. Control tokens (BOS, EOS, "<|im_start|>") give "" unless `decodeSpecial` is set, so
    /// generated text never shows them; ids outside the vocabulary are skipped. Invalid UTF-8 becomes U+FFFD.
    /// The bytes token `id` contributes to the text; nil for control tokens and unknown ids.
    public func tokenBytes(_ id: Int) -> [UInt8]? {
        guard pieces.indices.contains(id), !hiddenUnlessSpecial[id] else { return nil }
        return pieces[id]
    }

    public func decode(_ ids: [Int], decodeSpecial: Bool = false) -> String {
        var decoder = makeStreamingDecoder(decodeSpecial: decodeSpecial)
        var text = ""
        for id in ids { text += decoder.append(id) }
        return text + decoder.finish()
    }

    /// A decoder for tokens arriving one at a time; see `StreamingDecoder`.
    public func makeStreamingDecoder(decodeSpecial: Bool = false) -> StreamingDecoder {
        StreamingDecoder(tokenizer: self, decodeSpecial: decodeSpecial)
    }

    /// The bytes of `id` for decoding, or nil for an id to skip.
    func bytes(of id: Int, decodeSpecial: Bool) -> [UInt8]? {
        guard pieces.indices.contains(id) else { return nil }
        if hiddenUnlessSpecial[id] && !decodeSpecial { return nil }
        return pieces[id]
    }

    /// Whether `id` is special text (its piece is the text as written, not tokenized text).
    func isSpecial(_ id: Int) -> Bool {
        let type = vocabulary.type(of: id)
        return type == .control || type == .unknown || type == .userDefined
    }

    /// SentencePiece with a space prefix: the space encode added at the start and after special tokens
    /// is dropped again when decoding.
    var stripsSpacePrefix: Bool { vocabulary.model == .sentencePiece && vocabulary.addSpacePrefix }
}
