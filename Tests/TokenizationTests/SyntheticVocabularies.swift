import Tokenization

/// Tiny hand-made vocabularies whose expected tokenizations can be worked out by hand.
enum SyntheticVocabularies {
    /// Byte-level BPE spelling of the bytes used below: GPT-2 maps space to "Ġ" (U+0120).
    static let byteLevelTokens = ["<|end|>", "h", "e", "l", "o", "Ġ", "w", "r", "d", "a", "b", "c", "Ã", "©",
                                  "he", "ll", "hell", "hello", "Ġw", "or", "Ġwor", "ld", "Ġworld", "abc", "lo",
                                  "<tool>"]

    static func byteLevel(merges: [String]? = nil) -> Vocabulary {
        var types = Array(repeating: TokenType.normal, count: byteLevelTokens.count)
        types[0] = .control
        types[byteLevelTokens.count - 1] = .userDefined
        return Vocabulary(
            model: .bytePairEncoding, tokens: byteLevelTokens, types: types,
            // "a b" makes "ab", which is not a token: a word ending there falls back to bytes.
            merges: merges ?? ["h e", "l l", "he ll", "hell o", "Ġ w", "o r", "Ġw or", "l d", "Ġwor ld", "a b", "ab c"],
            eosID: 0, preTokenizer: "gpt2")
    }

    static func id(_ token: String) -> Int { byteLevelTokens.firstIndex(of: token) ?? -1 }

    /// SentencePiece tokens after <unk>, <s>, </s> and the 256 byte tokens, with their scores.
    static let pieceTokens: [(String, Float)] = [
        ("▁", -100), ("h", -100), ("e", -100), ("l", -100), ("o", -100), ("w", -100), ("r", -100), ("d", -100),
        ("a", -100), ("b", -100), ("c", -100),
        ("he", -1), ("ll", -2), ("llo", -3), ("hello", -4), ("▁hello", -5), ("▁w", -6), ("or", -7),
        ("▁wor", -8), ("ld", -9), ("▁world", -10), ("ab", -5), ("bc", -1),
    ]
    static let firstPieceID = 3 + 256

    static func sentencePiece(addSpacePrefix: Bool = true) -> Vocabulary {
        let hex = Array("0123456789ABCDEF")
        let byteTokens = (0..<256).map { "<0x\(hex[$0 >> 4])\(hex[$0 & 15])>" }
        let tokens = ["<unk>", "<s>", "</s>"] + byteTokens + pieceTokens.map(\.0)
        let types = [TokenType.unknown, .control, .control] + Array(repeating: .byte, count: 256)
            + Array(repeating: .normal, count: pieceTokens.count)
        let scores = Array(repeating: Float(0), count: 3 + 256) + pieceTokens.map(\.1)
        return Vocabulary(
            model: .sentencePiece, tokens: tokens, types: types, scores: scores, bosID: 1, eosID: 2,
            unknownID: 0, addBOS: true, addSpacePrefix: addSpacePrefix)
    }

    static func pieceID(_ token: String) -> Int {
        (pieceTokens.firstIndex { $0.0 == token } ?? -firstPieceID - 1) + firstPieceID
    }

    static func byteID(_ byte: UInt8) -> Int { 3 + Int(byte) }
}
