import Foundation

/// BERT's tokenizer (uncased): text cleaned, CJK ideographs spaced out, accents stripped and
/// lower-cased, split on whitespace and punctuation, then each word cut into the longest
/// vocabulary pieces from its start ("##" marks a piece inside a word); a word that cannot be
/// cut is [UNK]. Output: [CLS] pieces [SEP], truncated to `maxTokens`.
public struct WordPieceTokenizer: Sendable {
    public let vocabulary: [String]
    private let ids: [String: Int]
    public let unknownID: Int, classID: Int, separatorID: Int, paddingID: Int
    /// Longer words are [UNK] without trying (as in BERT).
    static let maxWordCharacters = 100

    /// `vocab.txt`: one token per line, the line number is its id.
    public init(vocabularyFile path: String) throws(TokenizationError) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw .wordPieceVocabulary("cannot read \(path)")
        }
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        try self.init(tokens: lines.map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 })
    }

    public init(tokens: [String]) throws(TokenizationError) {
        guard !tokens.isEmpty else { throw .emptyVocabulary }
        vocabulary = tokens
        var ids: [String: Int] = [:]
        for (id, token) in tokens.enumerated() where ids[token] == nil { ids[token] = id }
        self.ids = ids
        func required(_ token: String) throws(TokenizationError) -> Int {
            guard let id = ids[token] else { throw .wordPieceVocabulary("no \(token) token") }
            return id
        }
        unknownID = try required("[UNK]")
        classID = try required("[CLS]")
        separatorID = try required("[SEP]")
        paddingID = try required("[PAD]")
    }

    public func encode(_ text: String, maxTokens: Int = 512) -> [Int] {
        var output = [classID]
        for word in Self.words(of: text) {
            output.append(contentsOf: pieces(of: word))
            if output.count >= maxTokens - 1 { break }
        }
        if output.count > maxTokens - 1 { output.removeSubrange((maxTokens - 1)...) }
        output.append(separatorID)
        return output
    }

    /// Greedy longest-match-first WordPiece of one word.
    func pieces(of word: [Unicode.Scalar]) -> [Int] {
        guard word.count <= Self.maxWordCharacters else { return [unknownID] }
        var result: [Int] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int?
            while end > start {
                var candidate = String(String.UnicodeScalarView(word[start..<end]))
                if start > 0 { candidate = "##" + candidate }
                if let id = ids[candidate] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else { return [unknownID] }
            result.append(id)
            start = end
        }
        return result
    }

    /// Normalized words: cleaned, CJK spaced, accents stripped, lower-cased, split on whitespace
    /// and on each punctuation character.
    static func words(of text: String) -> [[Unicode.Scalar]] {
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value == 0 || scalar.value == 0xFFFD || isControl(scalar) { continue }
            if isWhitespace(scalar) {
                cleaned.append(" ")
            } else if isCJK(scalar) {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        // Lower-case, then strip accents: decompose and drop the non-spacing marks.
        let folded = String(cleaned).lowercased().decomposedStringWithCanonicalMapping
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        func flush() {
            if !current.isEmpty { words.append(current) }
            current.removeAll()
        }
        for scalar in folded.unicodeScalars {
            if scalar.properties.generalCategory == .nonspacingMark { continue }
            if isWhitespace(scalar) {
                flush()
            } else if isPunctuation(scalar) {
                flush()
                words.append([scalar])
            } else {
                current.append(scalar)
            }
        }
        flush()
        return words
    }

    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        s == " " || s == "\t" || s == "\n" || s == "\r" || s.properties.generalCategory == .spaceSeparator
    }

    static func isControl(_ s: Unicode.Scalar) -> Bool {
        if s == "\t" || s == "\n" || s == "\r" { return false }
        switch s.properties.generalCategory {
        case .control, .format, .privateUse, .surrogate, .unassigned: return true
        default: return false
        }
    }

    /// ASCII symbols count as punctuation too (as in BERT: "$", "+", "^", "`").
    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) { return true }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation:
            return true
        default: return false
        }
    }

    static func isCJK(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2A6DF).contains(v)
            || (0x2A700...0x2B73F).contains(v) || (0x2B740...0x2B81F).contains(v) || (0x2B820...0x2CEAF).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0x2F800...0x2FA1F).contains(v)
    }
}
