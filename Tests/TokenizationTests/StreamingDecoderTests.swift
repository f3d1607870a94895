import Testing
import Tokenization

@Suite struct StreamingDecoderTests {
    private static let replacement: Character = "\u{FFFD}"

    /// Streams `ids` and checks that no chunk contains a replacement character.
    private func streamed(_ tokenizer: Tokenizer, _ ids: [Int]) -> [String] {
        var decoder = tokenizer.makeStreamingDecoder()
        var chunks = ids.map { decoder.append($0) }
        chunks.append(decoder.finish())
        return chunks
    }

    @Test func holdsBackSplitCharacters() throws {
        let tokenizer = try ReferenceModel.tokenizer()
        for text in ["emoji 🍎🥦🧃 done", "日本語のテキスト", "cafe\u{301} n\u{303}o\u{308}", "👩‍👩‍👧‍👦 family", "Привет 🇫🇷"] {
            let ids = tokenizer.encode(text)
            let chunks = streamed(tokenizer, ids)
            #expect(chunks.joined() == text, "\(text.debugDescription)")
            #expect(!chunks.contains { $0.contains(Self.replacement) }, "\(chunks)")
        }
    }

    @Test func emojiBytesAreHeldUntilComplete() throws {
        let tokenizer = try ReferenceModel.tokenizer()
        // llama.cpp's ids for "emoji 🍎🥦🧃": the apple's four bytes come as " \xF0\x9F" + "\x8D" + "\x8E".
        let ids = [391, 33777, 15107, 231, 232, 10813, 115, 116, 10813, 117, 221]
        var decoder = tokenizer.makeStreamingDecoder()
        #expect(decoder.append(ids[0]) == "em")
        #expect(decoder.append(ids[1]) == "oji")
        #expect(decoder.append(ids[2]) == " ")
        #expect(decoder.append(ids[3]) == "")
        #expect(decoder.append(ids[4]) == "🍎")
        let rest = ids.dropFirst(5).map { decoder.append($0) }.joined()
        #expect(rest == "🥦🧃")
        #expect(decoder.finish() == "")
    }

    @Test func finishReplacesAnUnfinishedSequence() throws {
        let tokenizer = try Tokenizer(vocabulary: SyntheticVocabularies.byteLevel())
        var decoder = tokenizer.makeStreamingDecoder()
        #expect(decoder.append(SyntheticVocabularies.id("he")) == "he")
        #expect(decoder.append(SyntheticVocabularies.id("Ã")) == "")
        #expect(decoder.finish() == "\u{FFFD}")
        #expect(decoder.append(SyntheticVocabularies.id("o")) == "o")
    }

    @Test func specialTokensFollowTheDecodeSpecialSetting() throws {
        let tokenizer = try ReferenceModel.tokenizer()
        var plain = tokenizer.makeStreamingDecoder()
        #expect(plain.append(2) == "")
        var special = tokenizer.makeStreamingDecoder(decodeSpecial: true)
        #expect(special.append(2) == "<|im_end|>")
        #expect(plain.append(-1) == "")
        #expect(plain.append(49_152) == "")
    }
}
