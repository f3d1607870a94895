import Foundation

/// Scores an output by code, never by another model: `number` compares the last number in the
/// output with the answer; the instruction checks test the output's form.
///
/// Checks: `number`, `choice` (the first standalone letter A-E, or the text of the right
/// option, is the answer's letter), `number_only` (the whole output is the number), `exact_words:N`,
/// `max_words:N`, `lines:N` (non-empty lines), `uppercase`, `lowercase`, `no_comma`,
/// `contains:TEXT` (case-insensitive), `starts_with:TEXT`, `json_keys:A,B` (a JSON object with
/// exactly these keys; `answer` may give `key=value` pairs that must match), `one_of:A,B,...` (the
/// first of these words or phrases to appear in the output, as whole words, is the answer; at one
/// place the longest wins), `shopping:...` (every product listed is in the suite's reference with
/// its price, and one matches the request: see `ShoppingSuite.score`).
public enum Scorer {
    /// Numbers equal within this (answers are exact integers or short decimals).
    static let numberTolerance = 1e-6

    static let kinds: Set<String> = ["number", "choice", "number_only", "exact_words", "max_words", "lines", "uppercase", "lowercase",
                                     "no_comma", "contains", "starts_with", "json_keys", "one_of", "shopping"]

    public static func isKnown(_ check: String) -> Bool { kinds.contains(kind(check)) }

    public static func kind(_ check: String) -> String { String(check.prefix { $0 != ":" }) }

    public static func argument(_ check: String) -> String {
        guard let colon = check.firstIndex(of: ":") else { return "" }
        return String(check[check.index(after: colon)...])
    }

    /// What was extracted from the output (for the report) and whether it is correct.
    /// - Parameter reference: the suite header's `reference` (only the `shopping` check reads it).
    public static func score(output: String, item: EvalItem, reference: Set<String> = []) -> (extracted: String, correct: Bool) {
        let text = output.trimmingCharacters(in: .whitespacesAndNewlines)
        let words = text.split { $0.isWhitespace }
        switch kind(item.check) {
        case "number":
            guard let last = numbers(in: text).last else { return ("", false) }
            return (format(last), matches(last, item.answer))
        case "choice":
            let letter = text.matches(of: /(?:^|[^A-Za-z])([A-E])(?:[^A-Za-z]|$)/).first.map { String($0.output.1) } ?? ""
            return (letter, letter == item.answer)
        case "number_only":
            let value = Double(text.trimmingCharacters(in: CharacterSet(charactersIn: ".")))
            return (text, value.map { matches($0, item.answer) } ?? false)
        case "exact_words": return (String(words.count), words.count == Int(argument(item.check)))
        case "max_words": return (String(words.count), !words.isEmpty && words.count <= Int(argument(item.check)) ?? 0)
        case "lines":
            let lines = text.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            return (String(lines.count), lines.count == Int(argument(item.check)))
        case "uppercase": return (text, !text.isEmpty && text == text.uppercased() && text.contains { $0.isLetter })
        case "lowercase": return (text, !text.isEmpty && text == text.lowercased() && text.contains { $0.isLetter })
        case "no_comma": return (text, !text.isEmpty && !text.contains(","))
        case "contains": return (text, text.lowercased().contains(argument(item.check).lowercased()))
        case "starts_with": return (String(text.prefix(40)), text.hasPrefix(argument(item.check)))
        case "json_keys": return jsonKeys(text, keys: argument(item.check), expected: item.answer)
        case "one_of":
            let first = firstOption(in: text, options: argument(item.check).split(separator: ",").map(String.init))
            return (first, first == Self.words(item.answer).joined(separator: " "))
        case "shopping": return ShoppingSuite.score(output: text, check: argument(item.check), reference: reference)
        default: return ("", false)
        }
    }

    /// Lowercased runs of letters: what `one_of` compares.
    static func words(_ string: String) -> [String] { string.lowercased().split { !$0.isLetter }.map(String.init) }

    /// The option (lowercased) whose words start earliest in the text's words; at one place the longest.
    static func firstOption(in text: String, options: [String]) -> String {
        let said = words(text)
        let wanted = options.map(words).filter { !$0.isEmpty }.sorted { $0.count > $1.count }
        for start in said.indices {
            if let hit = wanted.first(where: { start + $0.count <= said.count && Array(said[start..<start + $0.count]) == $0 }) {
                return hit.joined(separator: " ")
            }
        }
        return ""
    }

    static func numbers(in text: String) -> [Double] {
        text.replacingOccurrences(of: ",", with: "").matches(of: /-?\d+(?:\.\d+)?/).compactMap { Double(String($0.output)) }
    }

    static func matches(_ value: Double, _ answer: String) -> Bool {
        guard let expected = Double(answer) else { return false }
        return abs(value - expected) <= numberTolerance
    }

    static func format(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// The first `{...}` of the output must be a JSON object with exactly `keys`; `expected`
    /// (`key=value;...`) pins values, compared as text.
    static func jsonKeys(_ text: String, keys: String, expected: String) -> (extracted: String, correct: Bool) {
        guard let open = text.firstIndex(of: "{"), let close = text.lastIndex(of: "}"), open < close,
              let object = try? JSONSerialization.jsonObject(with: Data(text[open...close].utf8)) as? [String: Any]
        else { return ("no JSON object", false) }
        let wanted = Set(keys.split(separator: ",").map(String.init))
        let extracted = object.keys.sorted().joined(separator: ",")
        guard Set(object.keys) == wanted else { return (extracted, false) }
        for pair in expected.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = object[parts[0]] else { return (extracted, false) }
            guard "\(value)".lowercased() == parts[1].lowercased() else { return (extracted, false) }
        }
        return (extracted, true)
    }
}

/// A proportion with its 95% Wilson score interval (good at small counts and near 0 or 1).
public struct Proportion: Codable, Sendable, Equatable {
    public let correct: Int
    public let total: Int
    public let value: Double
    public let low: Double
    public let high: Double

    /// z for a two-sided 95% interval.
    static let z = 1.959963984540054

    public init(correct: Int, total: Int) {
        self.correct = correct
        self.total = total
        guard total > 0 else {
            (value, low, high) = (0, 0, 1)
            return
        }
        let n = Double(total), p = Double(correct) / n, z2 = Self.z * Self.z
        let center = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = Self.z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / (1 + z2 / n)
        value = p
        low = max(0, center - half)
        high = min(1, center + half)
    }
}
