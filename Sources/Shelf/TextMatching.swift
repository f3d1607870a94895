/// Fuzzy matching of OCR text against catalogue names: words compared by edit distance, so a
/// misread letter ("Granoia") costs a little instead of the whole word.
enum TextMatching {
    /// Lowercased runs of letters and digits; shorter than `minimumLength` characters dropped
    /// (OCR noise on a pack's edge reads as stray one- and two-letter words).
    static func tokens(_ text: String, minimumLength: Int = 3) -> [String] {
        text.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init).filter { $0.count >= minimumLength }
    }

    /// 1 - Levenshtein distance / longer length: 1 for equal words, 0 for nothing in common.
    static func similarity(_ a: String, _ b: String) -> Double {
        a == b ? 1 : similarity(Array(a), Array(b))
    }

    static func similarity(_ x: [Character], _ y: [Character]) -> Double {
        if x == y { return 1 }
        guard !x.isEmpty, !y.isEmpty else { return 0 }
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return 1 - Double(previous[y.count]) / Double(max(x.count, y.count))
    }
}
