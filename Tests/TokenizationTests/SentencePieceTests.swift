import Testing
import Tokenization

@Suite struct SentencePieceTests {
    typealias V = SyntheticVocabularies

    @Test func mergesTheBestScoringPairFirst() throws {
        let tokenizer = try Tokenizer(vocabulary: V.sentencePiece())
        // "▁hello▁world": he, ll, llo, hello, ▁hello, ▁w, or, ▁wor, ld, ▁world by descending score.
        #expect(tokenizer.encode("hello world") == [V.pieceID("▁hello"), V.pieceID("▁world")])
        #expect(tokenizer.encode("hello world", addSpecial: true) == [1, V.pieceID("▁hello"), V.pieceID("▁world")])
        // "bc" scores above "ab", so "abc" is a + bc even though "ab" is leftmost.
        let noPrefix = try Tokenizer(vocabulary: V.sentencePiece(addSpacePrefix: false))
        #expect(noPrefix.encode("abc") == [V.pieceID("a"), V.pieceID("bc")])
    }

    @Test func unknownCharactersFallBackToByteTokens() throws {
        let tokenizer = try Tokenizer(vocabulary: V.sentencePiece(addSpacePrefix: false))
        // "i" is not a piece; "🙂" is F0 9F 99 82.
        let ids = tokenizer.encode("hi🙂")
        #expect(ids == [V.pieceID("h"), V.byteID(0x69), V.byteID(0xF0), V.byteID(0x9F), V.byteID(0x99), V.byteID(0x82)])
        #expect(tokenizer.decode(ids) == "hi🙂")
    }

    @Test func decodingRemovesTheAddedSpacePrefix() throws {
        let tokenizer = try Tokenizer(vocabulary: V.sentencePiece())
        for text in ["hello world", " hello", "  world  ", "abc", "x🙂y"] {
            #expect(tokenizer.decode(tokenizer.encode(text, addSpecial: true)) == text, "\(text.debugDescription)")
        }
        #expect(tokenizer.decode([V.pieceID("▁hello"), V.pieceID("▁world")]) == "hello world")
    }

    @Test func specialTokensInText() throws {
        let tokenizer = try Tokenizer(vocabulary: V.sentencePiece())
        let ids = tokenizer.encode("hello</s>world")
        // A space prefix is added after the special token too (as llama.cpp does), and removed on decode.
        #expect(ids == [V.pieceID("▁hello"), 2, V.pieceID("▁world")])
        #expect(tokenizer.decode(ids, decodeSpecial: true) == "hello</s>world")
        #expect(tokenizer.decode(ids) == "helloworld")
    }
}
