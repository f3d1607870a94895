import Foundation
import Testing
import TestSupport
import Tokenization

/// SmolLM2's real vocabulary against llama.cpp's ids for the same texts.
@Suite struct ReferenceTokenizationTests {
    @Test func fixtureTextsGiveLlamaCppIDs() throws {
        let tokenizer = try ReferenceModel.tokenizer()
        for entry in try ReferenceModel.fixture().tokenize {
            #expect(tokenizer.encode(entry.text) == entry.ids, "\(entry.text.debugDescription)")
        }
    }

    @Test func fixtureIDsDecodeToTheirText() throws {
        let tokenizer = try ReferenceModel.tokenizer()
        for entry in try ReferenceModel.fixture().tokenize {
            #expect(tokenizer.decode(entry.ids, decodeSpecial: true) == entry.text, "\(entry.text.debugDescription)")
        }
    }

    @Test func greedyPromptsHaveReferenceTokenCounts() throws {
        let tokenizer = try ReferenceModel.tokenizer()
        for entry in try ReferenceModel.fixture().greedy {
            #expect(tokenizer.encode(entry.prompt, addSpecial: true).count == entry.prompt_tokens,
                    "\(entry.prompt.debugDescription)")
        }
    }

    @Test func metadataOfTheDefaultModel() throws {
        let tokenizer = try ReferenceModel.tokenizer()
        #expect(tokenizer.vocabularySize == 49_152)
        #expect(tokenizer.bosID == 1)
        #expect(tokenizer.eosID == 2)
        #expect(tokenizer.addBOS == false)
        #expect(tokenizer.preTokenizer == .digitsThenGPT2)
        #expect(tokenizer.endOfGenerationIDs == [0, 2])
        #expect(tokenizer.tokenText(1) == "<|im_start|>")
        #expect(tokenizer.tokenText(198) == "Ċ")
        #expect(tokenizer.tokenText(49_152) == nil)
        #expect(tokenizer.chatTemplate == .chatml(
            defaultSystem: "You are a helpful AI assistant named SmolLM, trained by Hugging Face"))
    }

    @Test func specialTokensAreTextWhenNotParsed() throws {
        let tokenizer = try ReferenceModel.tokenizer()
        let ids = tokenizer.encode("<|im_end|>", parseSpecial: false)
        #expect(ids.count > 1)
        #expect(!ids.contains(2))
        #expect(tokenizer.decode(ids) == "<|im_end|>")
    }

    @Test func controlTokensDecodeToNothingByDefault() throws {
        let tokenizer = try ReferenceModel.tokenizer()
        let ids = tokenizer.encode("<|im_start|>user\nHi<|im_end|>\n")
        #expect(tokenizer.decode(ids) == "user\nHi\n")
        #expect(tokenizer.decode(ids, decodeSpecial: true) == "<|im_start|>user\nHi<|im_end|>\n")
    }

    /// Seeded random strings mixing ASCII, Latin, CJK, emoji, combining marks and special-token spellings.
    @Test func randomUnicodeRoundTrips() throws {
        let tokenizer = try ReferenceModel.tokenizer()
        let alphabet: [String] = [
            "a", "Z", "7", " ", "  ", "\n", "\t", "\r\n", "'s", "'LL", ".", "!?", "é", "ß", "日", "本", "🍎", "👍🏽",
            "e\u{301}", "\u{200D}", "\u{00A0}", "<|im_end|>", "<|im", "Ω", "١", "½", "\u{0}", "\u{7F}",
        ]
        var generator = SeededGenerator(seed: 0x5EED)
        for _ in 0..<300 {
            let length = Int(generator.next() % 24)
            let text = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }.joined()
            #expect(tokenizer.decode(tokenizer.encode(text), decodeSpecial: true) == text, "\(text.debugDescription)")
            #expect(tokenizer.decode(tokenizer.encode(text, parseSpecial: false)) == text, "\(text.debugDescription)")
        }
    }

    @Test func encodesALicenseQuickly() throws {
        let tokenizer = try ReferenceModel.tokenizer()
        let path = "/usr/share/common-licenses/GPL-3"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        let ids = tokenizer.encode(text)
        #expect(ids.count > 7_000)
        #expect(tokenizer.decode(ids) == text)
    }
}

