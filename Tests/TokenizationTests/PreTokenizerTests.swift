import Testing
import Tokenization

/// Expected splits were produced by Python's `regex` module running each pre-tokenizer's pattern
/// (SmolLM: `\p{N}` split first, then the GPT-2 pattern on each remaining piece).
@Suite struct PreTokenizerTests {
    @Test func gpt2() {
        let pre = PreTokenizer.gpt2
        #expect(pre.split("Hello world") == ["Hello", " world"])
        #expect(pre.split("I've DON'T they'LL") == ["I", "'ve", " DON", "'", "T", " they", "'", "LL"])
        #expect(pre.split("  x  \n\n y\t\tz ") == [" ", " x", "  \n\n", " y", "\t", "\t", "z", " "])
        #expect(pre.split("1234567 3.14 -42") == ["1234567", " 3", ".", "14", " -", "42"])
        #expect(pre.split("a\r\n\r\nb") == ["a", "\r\n\r", "\n", "b"])
        #expect(pre.split("(x) => {}\n") == ["(", "x", ")", " =>", " {}", "\n"])
        #expect(pre.split("héllo wörld 日本語") == ["héllo", " wörld", " 日本語"])
        #expect(pre.split("\u{A0}\u{A0}x") == ["\u{A0}", "\u{A0}", "x"])
        #expect(pre.split("") == [])
    }

    @Test func smollmSplitsEveryDigit() {
        let pre = PreTokenizer.digitsThenGPT2
        #expect(pre.split("1234567 3.14 -42") == ["1", "2", "3", "4", "5", "6", "7", " ", "3", ".", "1", "4", " -", "4", "2"])
        #expect(pre.split(" 12ab") == [" ", "1", "2", "ab"])
        #expect(pre.split("I've DON'T") == ["I", "'ve", " DON", "'", "T"])
        #expect(pre.split("foo   ") == ["foo", "   "])
    }

    @Test func llama3() {
        let pre = PreTokenizer.llama3
        #expect(pre.split("I've DON'T they'LL") == ["I", "'ve", " DON", "'T", " they", "'LL"])
        #expect(pre.split("  x  \n\n y\t\tz ") == [" ", " x", "  \n\n", " y", "\t", "\tz", " "])
        #expect(pre.split("1234567 3.14 -42") == ["123", "456", "7", " ", "3", ".", "14", " -", "42"])
        #expect(pre.split("a\r\n\r\nb") == ["a", "\r\n\r\n", "b"])
        #expect(pre.split("(x) => {}\n") == ["(x", ")", " =>", " {}\n"])
        #expect(pre.split(" 12ab") == [" ", "12", "ab"])
    }

    @Test func qwen2SplitsSingleDigits() {
        let pre = PreTokenizer.qwen2
        #expect(pre.split("1234567 3.14 -42") == ["1", "2", "3", "4", "5", "6", "7", " ", "3", ".", "1", "4", " -", "4", "2"])
        #expect(pre.split("(x) => {}\n") == ["(x", ")", " =>", " {}\n"])
        #expect(pre.split("I've DON'T") == ["I", "'ve", " DON", "'T"])
    }

    @Test func namesFromGGUF() throws {
        #expect(try PreTokenizer(name: "smollm") == .digitsThenGPT2)
        #expect(try PreTokenizer(name: "default") == .gpt2)
        #expect(try PreTokenizer(name: "llama-bpe") == .llama3)
        #expect(try PreTokenizer(name: "qwen2") == .qwen2)
        #expect(throws: TokenizationError.unsupportedPreTokenizer("klingon")) { try PreTokenizer(name: "klingon") }
    }

    @Test func splitsConcatenateToTheInput() {
        let text = "Ünïcödé 🍎🥦 e\u{301}\u{301} 12,345.67\r\n\t 'S 'm\u{3000}end  "
        for pre in [PreTokenizer.gpt2, .digitsThenGPT2, .llama3, .qwen2] {
            let words = pre.split(text)
            #expect(words.joined() == text)
            #expect(!words.contains(""))
        }
    }
}
