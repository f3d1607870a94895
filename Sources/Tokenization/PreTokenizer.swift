/// Splits text into words before BPE, as the model's `tokenizer.ggml.pre` asks. Each case is a hand-written
/// scanner equivalent to the regular expression in its comment (alternatives tried in order at each position).
public enum PreTokenizer: Sendable, Equatable {
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    case gpt2
    /// Every \p{N} scalar split off on its own first, then `gpt2` on the text between (SmolLM, StarCoder).
    case digitsThenGPT2
    /// Llama 3: `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|`
    /// `\s*[\r\n]+|\s+(?!\S)|\s+`
    case llama3
    /// Qwen 2: as `llama3` but numbers are single scalars (`\p{N}` instead of `\p{N}{1,3}`).
    case qwen2

    /// `tokenizer.ggml.pre` names accepted for each case (aliases used by GGUF converters).
    private static let names: [String: PreTokenizer] = [
        "default": .gpt2, "gpt2": .gpt2, "gpt-2": .gpt2, "mpt": .gpt2, "olmo": .gpt2, "jais": .gpt2,
        "smollm": .digitsThenGPT2, "starcoder": .digitsThenGPT2, "refact": .digitsThenGPT2,
        "command-r": .digitsThenGPT2, "codeshell": .digitsThenGPT2, "exaone": .digitsThenGPT2,
        "minerva": .digitsThenGPT2,
        "llama3": .llama3, "llama-v3": .llama3, "llama-bpe": .llama3, "dbrx": .llama3, "smaug-bpe": .llama3,
        "qwen2": .qwen2, "stablelm2": .qwen2, "deepseek-r1-qwen": .qwen2,
    ]

    static var supportedNames: [String] { names.keys.sorted() }

    public init(name: String) throws(TokenizationError) {
        guard let known = Self.names[name] else { throw .unsupportedPreTokenizer(name) }
        self = known
    }

    /// The words of `text`, in order; concatenated they give `text` back.
    public func split(_ text: String) -> [String] {
        let scalars = ScalarText(text[...])
        let utf8 = Array(text.utf8)
        return wordRanges(scalars).map { range in
            String(decoding: utf8[scalars.byteOffsets[range.lowerBound]..<scalars.byteOffsets[range.upperBound]],
                   as: UTF8.self)
        }
    }

    /// Scalar index ranges of the words of `text`.
    func wordRanges(_ text: ScalarText) -> [Range<Int>] {
        var words: [Range<Int>] = []
        switch self {
        case .gpt2:
            scan(text, 0..<text.count, into: &words, match: Self.gpt2Word)
        case .digitsThenGPT2:
            var start = 0
            for index in 0..<text.count where text.classes[index].contains(.number) {
                scan(text, start..<index, into: &words, match: Self.gpt2Word)
                words.append(index..<index + 1)
                start = index + 1
            }
            scan(text, start..<text.count, into: &words, match: Self.gpt2Word)
        case .llama3:
            scan(text, 0..<text.count, into: &words) { text, start, end in
                Self.llamaWord(text, at: start, end: end, maxDigits: 3)
            }
        case .qwen2:
            scan(text, 0..<text.count, into: &words) { text, start, end in
                Self.llamaWord(text, at: start, end: end, maxDigits: 1)
            }
        }
        return words
    }

    /// Applies `match` repeatedly inside `range`; a pattern's look-ahead never sees past the range's end.
    private func scan(
        _ text: ScalarText, _ range: Range<Int>, into words: inout [Range<Int>],
        match: (ScalarText, Int, Int) -> Int
    ) {
        var position = range.lowerBound
        while position < range.upperBound {
            let end = match(text, position, range.upperBound)
            words.append(position..<end)
            position = end
        }
    }

    private static let apostrophe: UInt32 = 0x27
    private static let space: UInt32 = 0x20
    private static let carriageReturn: UInt32 = 0x0D
    private static let lineFeed: UInt32 = 0x0A

    /// Length of a contraction ('s 't 're 've 'm 'll 'd) at `start`, or 0.
    private static func contraction(_ text: ScalarText, at start: Int, end: Int, ignoringCase: Bool) -> Int {
        guard text.values[start] == apostrophe, start + 1 < end else { return 0 }
        func letter(_ index: Int) -> UInt32 {
            let value = text.values[index]
            // ASCII-only case folding, as the `[sS]` character classes of the pattern.
            return ignoringCase && (0x41...0x5A).contains(value) ? value + 0x20 : value
        }
        let first = letter(start + 1)
        if [0x73, 0x74, 0x6D, 0x64].contains(first) { return 2 }  // s t m d
        guard start + 2 < end else { return 0 }
        let pair = (first, letter(start + 2))
        if pair == (0x72, 0x65) || pair == (0x76, 0x65) || pair == (0x6C, 0x6C) { return 3 }  // re ve ll
        return 0
    }

    private static func isOther(_ classes: ScalarText.Classes) -> Bool { classes.isEmpty }

    /// End of the run of scalars from `start` whose classes satisfy `accept`, stopping at `limit`.
    private static func run(
        _ text: ScalarText, from start: Int, end: Int, limit: Int = .max, _ accept: (Int) -> Bool
    ) -> Int {
        var index = start
        while index < end && index - start < limit && accept(index) { index += 1 }
        return index
    }

    /// `\s+(?!\S)|\s+` at a whitespace scalar: a run followed by text leaves its last scalar to the next word.
    private static func whitespaceWord(_ text: ScalarText, at start: Int, end: Int) -> Int {
        let runEnd = run(text, from: start, end: end) { text.classes[$0].contains(.whitespace) }
        if runEnd < end && runEnd - start >= 2 { return runEnd - 1 }
        return runEnd
    }

    static func gpt2Word(_ text: ScalarText, at start: Int, end: Int) -> Int {
        let contractionLength = contraction(text, at: start, end: end, ignoringCase: false)
        if contractionLength > 0 { return start + contractionLength }
        let body = text.values[start] == space && start + 1 < end ? start + 1 : start
        let classes = text.classes[body]
        if classes.contains(.letter) {
            return run(text, from: body, end: end) { text.classes[$0].contains(.letter) }
        }
        if classes.contains(.number) {
            return run(text, from: body, end: end) { text.classes[$0].contains(.number) }
        }
        if isOther(classes) {
            return run(text, from: body, end: end) { isOther(text.classes[$0]) }
        }
        return whitespaceWord(text, at: start, end: end)
    }

    static func llamaWord(_ text: ScalarText, at start: Int, end: Int, maxDigits: Int) -> Int {
        let contractionLength = contraction(text, at: start, end: end, ignoringCase: true)
        if contractionLength > 0 { return start + contractionLength }
        let first = text.values[start]
        let classes = text.classes[start]
        let isNewline = first == carriageReturn || first == lineFeed
        let isLetter: (Int) -> Bool = { text.classes[$0].contains(.letter) }
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if classes.contains(.letter) { return run(text, from: start, end: end, isLetter) }
        if !isNewline && !classes.contains(.number) && start + 1 < end && isLetter(start + 1) {
            return run(text, from: start + 1, end: end, isLetter)
        }
        if classes.contains(.number) {
            return run(text, from: start, end: end, limit: maxDigits) { text.classes[$0].contains(.number) }
        }
        //  ?[^\s\p{L}\p{N}]+[\r\n]*
        let body = first == space && start + 1 < end ? start + 1 : start
        if isOther(text.classes[body]) {
            let symbolsEnd = run(text, from: body, end: end) { isOther(text.classes[$0]) }
            return run(text, from: symbolsEnd, end: end) {
                text.values[$0] == carriageReturn || text.values[$0] == lineFeed
            }
        }
        // \s*[\r\n]+ : the whitespace run up to and including its last newline.
        let runEnd = run(text, from: start, end: end) { text.classes[$0].contains(.whitespace) }
        var lastNewline = runEnd - 1
        while lastNewline >= start && text.values[lastNewline] != carriageReturn && text.values[lastNewline] != lineFeed {
            lastNewline -= 1
        }
        if lastNewline >= start { return lastNewline + 1 }
        return whitespaceWord(text, at: start, end: end)
    }
}
