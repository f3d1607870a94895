import Crypto
import Foundation

/// Why a suite or report could not be used.
public enum EvaluationError: Error, Equatable, CustomStringConvertible, Sendable {
    case invalidSuite(String)
    case invalidReport(String)
    case server(String)

    public var description: String {
        switch self {
        case .invalidSuite(let message): return "invalid suite: \(message)"
        case .invalidReport(let message): return "invalid report: \(message)"
        case .server(let message): return "server: \(message)"
        }
    }
}

/// One question and how its answer is checked.
public struct EvalItem: Codable, Sendable, Equatable {
    public let id: String
    public let prompt: String
    /// What a correct answer holds: a number (`number` scorer), or the check's argument.
    public let answer: String
    /// How the output is scored: `number`, or an instruction check (see `Scorer`).
    public let check: String
    /// Where the answer comes from, for hand-written items.
    public let source: String?
    /// The picture the question is about, as a `data:` URL (image suites).
    public let image: String?

    public init(id: String, prompt: String, answer: String, check: String, source: String? = nil, image: String? = nil) {
        self.id = id
        self.prompt = prompt
        self.answer = answer
        self.check = check
        self.source = source
        self.image = image
    }
}

/// A versioned suite file: a JSON header line (`suite`, `version`, `canary`, `max_tokens`),
/// then one item per line. The canary string marks the file so that a model trained on it can
/// be caught repeating it; the SHA-256 of the file's bytes names the exact questions asked.
public struct EvalSuite: Sendable {
    public struct Header: Codable, Sendable, Equatable {
        public let suite: String
        public let version: String
        public let canary: String
        public let max_tokens: Int
        public let description: String
        /// The one chat mode the suite is asked in (`shopping`), whatever modes a run names; nil: the run's modes.
        public let mode: String?
        /// What the server needs for this suite, which `muse eval` gives the server it starts:
        /// `catalog` (a catalogue file, repository-relative) and `shopping_world` (`WorldParameters` text).
        public let setup: [String: String]?
        /// Facts the scorer checks outputs against (the `shopping` check: every catalogue product as
        /// `Title by Brand: PRICE`).
        public let reference: [String]?

        public init(suite: String, version: String, canary: String, max_tokens: Int, description: String, mode: String? = nil,
                    setup: [String: String]? = nil, reference: [String]? = nil) {
            self.suite = suite
            self.version = version
            self.canary = canary
            self.max_tokens = max_tokens
            self.description = description
            self.mode = mode
            self.setup = setup
            self.reference = reference
        }
    }

    public let header: Header
    public let items: [EvalItem]
    public let sha256: String

    public static let canaryPrefix = "MUSE-EVAL-CANARY"

    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw EvaluationError.invalidSuite("\(url.path): \(error.localizedDescription)")
        }
        try self.init(data: data, name: url.lastPathComponent)
    }

    public init(data: Data, name: String) throws {
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").filter { !$0.isEmpty }
        guard let first = lines.first else { throw EvaluationError.invalidSuite("\(name) is empty") }
        let decoder = JSONDecoder()
        do { header = try decoder.decode(Header.self, from: Data(first.utf8)) } catch {
            throw EvaluationError.invalidSuite("\(name): the first line is not a suite header (\(error))")
        }
        guard header.canary.hasPrefix(Self.canaryPrefix) else { throw EvaluationError.invalidSuite("\(name) has no canary string") }
        var items: [EvalItem] = []
        for (number, line) in lines.dropFirst().enumerated() {
            do { items.append(try decoder.decode(EvalItem.self, from: Data(line.utf8))) } catch {
                throw EvaluationError.invalidSuite("\(name):\(number + 2): \(error)")
            }
        }
        guard Set(items.map(\.id)).count == items.count else { throw EvaluationError.invalidSuite("\(name) repeats an item id") }
        for item in items where !Scorer.isKnown(item.check) {
            throw EvaluationError.invalidSuite("\(name): item \(item.id) has unknown check '\(item.check)'")
        }
        self.items = items
        sha256 = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// The file text for a header and items (what `muse eval generate` writes).
    public static func text(header: Header, items: [EvalItem]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var lines = [String(decoding: try encoder.encode(header), as: UTF8.self)]
        for item in items { lines.append(String(decoding: try encoder.encode(item), as: UTF8.self)) }
        return lines.joined(separator: "\n") + "\n"
    }
}
