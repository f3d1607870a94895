/// Finds special tokens written out in text, so "<|im_start|>" becomes its id rather than BPE pieces.
/// Tokens are tried longest first over the whole text, each splitting the text fragments left by the longer
/// ones (llama.cpp's order, which decides the rare case of overlapping special tokens).
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

    func partition(_ text: [UInt8], includeControl: Bool) -> [Fragment] {
        var fragments: [Fragment] = text.isEmpty ? [] : [.text(0..<text.count)]
        for entry in entries where includeControl || entry.alwaysMatched {
            guard let first = entry.bytes.first else { continue }
            var split: [Fragment] = []
            split.reserveCapacity(fragments.count)
            for fragment in fragments {
                guard case .text(let range) = fragment else {
                    split.append(fragment)
                    continue
                }
                var start = range.lowerBound
                var index = range.lowerBound
                while index + entry.bytes.count <= range.upperBound {
                    if text[index] == first && text[index..<index + entry.bytes.count].elementsEqual(entry.bytes) {
                        if start < index { split.append(.text(start..<index)) }
                        split.append(.token(entry.id))
                        index += entry.bytes.count
                        start = index
                    } else {
                        index += 1
                    }
                }
                if start < range.upperBound { split.append(.text(start..<range.upperBound)) }
            }
            fragments = split
        }
        return fragments
    }
}
