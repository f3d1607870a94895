import Testing
import Tokenization

@Suite struct BytePairEncodingTests {
    typealias V = SyntheticVocabularies

    @Test func mergesByRank() throws {
        let tokenizer = try Tokenizer(vocabulary: V.byteLevel())
        #expect(tokenizer.encode("hello world") == [V.id("hello"), V.id("Ġworld")])
        #expect(tokenizer.decode(tokenizer.encode("hello world")) == "hello world")
    }

    @Test func lowerRankWinsOverLeftmost() throws {
        // "l o" ranks before "l l": "llo" becomes l + lo, not ll + o.
        let tokenizer = try Tokenizer(vocabulary: V.byteLevel(merges: ["l o", "l l"]))
        #expect(tokenizer.encode("llo") == [V.id("l"), V.id("lo")])
        let llFirst = try Tokenizer(vocabulary: V.byteLevel(merges: ["l l", "l o"]))
        #expect(llFirst.encode("llo") == [V.id("ll"), V.id("o")])
    }

    @Test func mergeResultsOutsideTheVocabularyFallBackToBytes() throws {
        let tokenizer = try Tokenizer(vocabulary: V.byteLevel())
        #expect(tokenizer.encode("ab") == [V.id("a"), V.id("b")])
        #expect(tokenizer.encode("abc") == [V.id("abc")])
    }

    @Test func multiByteCharactersAreByteTokens() throws {
        let tokenizer = try Tokenizer(vocabulary: V.byteLevel())
        // "é" is C3 A9, spelled "Ã" "©" in GPT-2's byte mapping.
        #expect(tokenizer.encode("é") == [V.id("Ã"), V.id("©")])
        #expect(tokenizer.decode([V.id("Ã"), V.id("©")]) == "é")
    }

    @Test func specialAndUserDefinedTokens() throws {
        let tokenizer = try Tokenizer(vocabulary: V.byteLevel())
        #expect(tokenizer.encode("he<|end|>") == [V.id("he"), 0])
        #expect(tokenizer.encode("he<|end|>", parseSpecial: false).contains(0) == false)
        // User-defined tokens stand for plain text: matched and shown even without special handling.
        #expect(tokenizer.encode("he<tool>", parseSpecial: false) == [V.id("he"), V.id("<tool>")])
        #expect(tokenizer.decode([V.id("he"), V.id("<tool>"), 0]) == "he<tool>")
        #expect(tokenizer.decode([V.id("he"), 0], decodeSpecial: true) == "he<|end|>")
        #expect(tokenizer.endOfGenerationIDs == [0])
    }

    @Test func endOfTurnTokensEndGenerationWhateverTheirType() throws {
        var vocabulary = V.byteLevel()
        vocabulary.tokens[V.id("<tool>")] = "<end_of_turn>"
        let tokenizer = try Tokenizer(vocabulary: vocabulary)
        let endOfTurn = V.id("<tool>")
        #expect(tokenizer.endOfGenerationIDs == [0, endOfTurn])
        #expect(tokenizer.decode([V.id("he"), endOfTurn]) == "he")
        #expect(tokenizer.decode([endOfTurn], decodeSpecial: true) == "<end_of_turn>")
    }

    @Test func addSpecialFollowsTheVocabulary() throws {
        var vocabulary = V.byteLevel()
        vocabulary.bosID = 1
        vocabulary.addBOS = true
        vocabulary.addEOS = true
        let tokenizer = try Tokenizer(vocabulary: vocabulary)
        #expect(tokenizer.encode("he", addSpecial: true) == [1, V.id("he"), 0])
        #expect(tokenizer.encode("he") == [V.id("he")])
        #expect(tokenizer.encode("", addSpecial: true) == [1, 0])
    }

    @Test func invalidVocabulariesAreTypedErrors() {
        var badMerge = V.byteLevel()
        badMerge.merges = ["h e", "hello"]
        #expect(throws: TokenizationError.malformedMerge(index: 1, text: "hello")) {
            try Tokenizer(vocabulary: badMerge)
        }
        var badPre = V.byteLevel()
        badPre.preTokenizer = "klingon"
        #expect(throws: TokenizationError.unsupportedPreTokenizer("klingon")) { try Tokenizer(vocabulary: badPre) }
        var badID = V.byteLevel()
        badID.bosID = 1_000
        #expect(throws: TokenizationError.specialIDOutOfRange(name: "bos", id: 1_000, vocabularySize: 26)) {
            try Tokenizer(vocabulary: badID)
        }
        var badTypes = V.byteLevel()
        badTypes.types = [.normal]
        #expect(throws: TokenizationError.countMismatch(what: "tokenizer.ggml.token_type", expected: 26, found: 1)) {
            try Tokenizer(vocabulary: badTypes)
        }
        #expect(throws: TokenizationError.emptyVocabulary) {
            try Tokenizer(vocabulary: Vocabulary(model: .bytePairEncoding, tokens: []))
        }
    }
}
