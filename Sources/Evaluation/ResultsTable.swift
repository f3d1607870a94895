import Foundation

/// A report's scores as one row per suite and one column per mode, with the strongest and the
/// weakest results named side by side: what README's table (`muse eval table`) and the web app's
/// results page show.
public struct ResultsTable: Sendable {
    /// Columns in this order; a mode no run used gets no column.
    public static let modeOrder = ["default", "instant", "thinking", "contemplating", "health", "shopping"]
    /// Results named as strengths and as weaknesses under the table.
    public static let highlighted = 3

    public struct Row: Sendable {
        /// `name vVERSION`.
        public let suite: String
        /// The most samples any of its runs had (runs of one suite have the same count unless `--limit`).
        public let samples: Int
        public let scores: [String: Proportion]
    }

    public let report: EvalReport
    public let modes: [String]
    public let rows: [Row]
    /// Every run as (`suite vN mode`, score), best first.
    public let ranked: [(label: String, score: Proportion)]

    public init(_ report: EvalReport) {
        self.report = report
        var order: [String] = [], scores: [String: [String: Proportion]] = [:]
        for run in report.runs {
            let suite = "\(run.suite) v\(run.suiteVersion)"
            if scores[suite] == nil { order.append(suite) }
            scores[suite, default: [:]][run.mode] = run.score
        }
        let used = Set(report.runs.map(\.mode))
        modes = Self.modeOrder.filter(used.contains) + used.subtracting(Self.modeOrder).sorted()
        rows = order.map { suite in
            Row(suite: suite, samples: scores[suite]?.values.map(\.total).max() ?? 0, scores: scores[suite] ?? [:])
        }
        let labelled: [(label: String, score: Proportion)] = report.runs.map { (label: "\($0.suite) v\($0.suiteVersion) \($0.mode)", score: $0.score) }
        // Best first; equal scores keep the report's order.
        ranked = labelled.indices.sorted { a, b in
            labelled[a].score.value != labelled[b].score.value ? labelled[a].score.value > labelled[b].score.value : a < b
        }.map { labelled[$0] }
    }

    /// The best results, and the worst (never the same run twice when there are few).
    public var strengths: [(label: String, score: Proportion)] { Array(ranked.prefix(min(Self.highlighted, ranked.count / 2))) }
    public var weaknesses: [(label: String, score: Proportion)] {
        Array(ranked.suffix(min(Self.highlighted, ranked.count - ranked.count / 2)).reversed())
    }

    public static func percent(_ value: Double) -> String { String(format: "%.1f", value * 100) }

    /// `21.7% (13.1-33.6)`: the score and its 95% interval.
    public static func cell(_ score: Proportion) -> String {
        "\(percent(score.value))% (\(percent(score.low))-\(percent(score.high)))"
    }

    public func markdown(reportPath: String) -> String {
        var lines = ["| suite | samples | " + modes.joined(separator: " | ") + " |",
                     "|---|---:|" + String(repeating: "---:|", count: modes.count)]
        for row in rows {
            lines.append("| \(row.suite) | \(row.samples) | "
                         + modes.map { row.scores[$0].map(Self.cell) ?? "-" }.joined(separator: " | ") + " |")
        }
        func list(_ runs: [(label: String, score: Proportion)]) -> String {
            runs.map { "\($0.label) \(Self.percent($0.score.value))%" }.joined(separator: ", ")
        }
        lines.append("")
        lines.append("Score (95% Wilson interval) of each suite by mode. Strongest: \(list(strengths)). Weakest: \(list(weaknesses)).")
        lines.append("")
        let server = report.server
        lines.append("Model `\(server.model)`" + (server.modelSHA256.map { " (SHA-256 `\($0)`)" } ?? "")
                     + ", fingerprint `\(server.fingerprint)`, engine \(report.engineVersion)"
                     + (report.gitCommit.map { ", commit \($0.prefix(12))" } ?? "") + ", \(report.createdAt); report `\(reportPath)`, "
                     + "table by `muse eval table \(reportPath)`.")
        return lines.joined(separator: "\n") + "\n"
    }
}
