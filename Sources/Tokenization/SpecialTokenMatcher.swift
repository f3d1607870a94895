/// Finds special tokens written out in text, so "<|im_start|>" becomes its id rather than BPE pieces.
/// Tokens are tried longest first over the whole text, each matching only bytes the longer ones left
/// (llama.cpp's order, which decides the rare case of overlapping special tokens).
struct SpecialTokenMatcher: Sendable {
    enum Fragment: Equatable {
        /// [bytes] range of the input's UTF-8 to tokenize as text.
        case text(Range<Int>)
        case token(Int)
    }

    private struct Entry: Sendable {
        let bytes: [UInt8]
        let id: Int
        /// User-defined tokens are matched even when special parsing is off (they stand for plain text).
        let alwaysMatched: Bool
    }

    /// Longest first; ties by id.
    private let entries: [Entry]

    init(vocabulary: Vocabulary) {
        var entries: [Entry] = []
        for (id, token) in vocabulary.tokens.enumerated() where !token.isEmpty {
            switch vocabulary.type(of: id) {
            case .control, .unknown: entries.append(Entry(bytes: Array(token.utf8), id: id, alwaysMatched: false))
            case .userDefined: entries.append(Entry(bytes: Array(token.utf8), id: id, alwaysMatched: true))
            case .normal, .undefined, .unused, .byte: break
            }
        }
        self.entries = entries.sorted { ($0.bytes.count, -$0.id) > ($1.bytes.count, -$1.id) }
    }

    /// Marks in `owner` for bytes not (yet) claimed by a token, and for bytes after a token's first.
    private static let unclaimed = -1
    private static let continuation = -2

    func partition(_ text: [UInt8], includeControl: Bool) -> [Fragment] {
        guard !text.isEmpty else { return [] }
        // Only positions holding a token's first byte are tried, so vocabularies with thousands of
        // special tokens (Gemma) cost little more than those with a few.
        var positions = [[Int]](repeating: [], count: 256)
        for (index, byte) in text.enumerated() { positions[Int(byte)].append(index) }
        // [bytes] token id at the first byte of each match, `continuation` inside it.
        var owner = [Int](repeating: Self.unclaimed, count: text.count)
        for entry in entries where includeControl || entry.alwaysMatched {
            guard let first = entry.bytes.first else { continue }
            var nextFree = 0
            for start in positions[Int(first)] where start >= nextFree {
                let end = start + entry.bytes.count
                guard end <= text.count,
                      owner[start..<end].allSatisfy({ $0 == Self.unclaimed }),
                      text[start..<end].elementsEqual(entry.bytes) else { continue }
                owner[start] = entry.id
                for index in start + 1..<end { owner[index] = Self.continuation }
                nextFree = end
            }
        }
        var fragments: [Fragment] = []
        var textStart: Int? = nil
        for (index, mark) in owner.enumerated() where mark != Self.continuation {
            if mark == Self.unclaimed {
                if textStart == nil { textStart = index }
            } else {
                if let start = textStart { fragments.append(.text(start..<index)) }
                textStart = nil
                fragments.append(.token(mark))
            }
        }
        if let start = textStart { fragments.append(.text(start..<text.count)) }
        return fragments
    }
}
