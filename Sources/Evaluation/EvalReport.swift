import Foundation

/// Everything a number depends on, and every sample behind it: `muse eval verify` re-asks a
/// server and re-scores the outputs from this file alone.
public struct EvalReport: Codable, Sendable {
    public struct Server: Codable, Sendable, Equatable {
        public let baseURL: String
        public let model: String
        /// `system_fingerprint`: engine version and the served model file's SHA-256 prefix.
        public let fingerprint: String
        /// The served model file's whole SHA-256, when the run started the server (the server logs it);
        /// nil against `--base-url` (the fingerprint still holds its first 12 digits).
        public let modelSHA256: String?

        public init(baseURL: String, model: String, fingerprint: String, modelSHA256: String? = nil) {
            self.baseURL = baseURL
            self.model = model
            self.fingerprint = fingerprint
            self.modelSHA256 = modelSHA256
        }
    }

    public struct Sample: Codable, Sendable, Equatable {
        public let id: String
        public let prompt: String
        public let output: String
        public let reasoning: String?
        public let extracted: String
        public let expected: String
        public let correct: Bool
    }

    public struct Run: Codable, Sendable {
        public let suite: String
        public let suiteVersion: String
        public let suiteSHA256: String
        public let suiteFile: String
        public let mode: String
        public let temperature: Double
        public let maxTokens: Int
        public let seed: Int
        public let systemPrompt: String?
        public let score: Proportion
        public let samples: [Sample]
    }

    public let createdAt: String
    public let engineVersion: String
    public let gitCommit: String?
    public let server: Server
    public var runs: [Run]

    public init(createdAt: String, engineVersion: String, gitCommit: String?, server: Server, runs: [Run]) {
        self.createdAt = createdAt
        self.engineVersion = engineVersion
        self.gitCommit = gitCommit
        self.server = server
        self.runs = runs
    }

    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    public static func load(_ url: URL) throws -> EvalReport {
        do { return try JSONDecoder().decode(EvalReport.self, from: try Data(contentsOf: url)) } catch {
            throw EvaluationError.invalidReport("\(url.path): \(error)")
        }
    }

    /// Mismatches between each sample's recorded score and the scorer run again on its output,
    /// and between each run's totals and its samples (a hand-edited report shows here).
    public func inconsistencies(suites: [String: EvalSuite]) -> [String] {
        var problems: [String] = []
        for run in runs {
            guard let suite = suites[run.suite] else {
                problems.append("\(run.suite): suite file not found")
                continue
            }
            if suite.sha256 != run.suiteSHA256 { problems.append("\(run.suite): the suite file changed since the report") }
            let items = Dictionary(uniqueKeysWithValues: suite.items.map { ($0.id, $0) })
            for sample in run.samples {
                guard let item = items[sample.id] else {
                    problems.append("\(run.suite)/\(sample.id): not in the suite")
                    continue
                }
                let rescored = Scorer.score(output: sample.output, item: item, reference: Set(suite.header.reference ?? []))
                if rescored.correct != sample.correct || sample.expected != item.answer || sample.prompt != item.prompt {
                    problems.append("\(run.suite)/\(run.mode)/\(sample.id): recorded as \(sample.correct ? "correct" : "wrong"), "
                                    + "scores \(rescored.correct ? "correct" : "wrong")")
                }
            }
            let correct = run.samples.filter(\.correct).count
            if run.score != Proportion(correct: correct, total: run.samples.count) {
                problems.append("\(run.suite)/\(run.mode): the score does not match its samples")
            }
        }
        return problems
    }

    /// The table for README and the results page: each suite by mode, score with its interval.
    public func markdown(reportPath: String) -> String {
        var lines = [
            "| suite | mode | score | 95% CI | samples |", "|---|---|---:|---:|---:|",
        ]
        for run in runs {
            let s = run.score
            func percent(_ value: Double) -> String { String(format: "%.1f", value * 100) }
            lines.append("| \(run.suite) v\(run.suiteVersion) | \(run.mode) | \(percent(s.value))% | "
                         + "\(percent(s.low))-\(percent(s.high))% | \(s.total) |")
        }
        lines.append("")
        lines.append("Model `\(server.model)`, fingerprint `\(server.fingerprint)`, engine \(engineVersion)"
                     + (gitCommit.map { ", commit \($0.prefix(12))" } ?? "") + ", \(createdAt); report `\(reportPath)`.")
        return lines.joined(separator: "\n") + "\n"
    }
}
