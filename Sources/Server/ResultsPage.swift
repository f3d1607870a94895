import Evaluation
import Foundation
import Hummingbird

/// The web app's results page (`/results`) and its data (`/results.json`): every evaluation
/// report (`muse eval --out`) in the server's results folder, read when asked (a new report shows
/// without a restart), each suite by mode with its score, 95% interval and sample count, and the
/// model SHA-256, fingerprint and engine version the numbers came from.
struct EvalResults: Sendable {
    let folder: String

    struct RunSummary: Encodable, Sendable {
        let suite: String
        let version: String
        let mode: String
        let score: Double
        let low: Double
        let high: Double
        let correct: Int
        let samples: Int
    }

    struct ReportSummary: Encodable, Sendable {
        let file: String
        let createdAt: String
        let model: String
        let modelSHA256: String?
        let fingerprint: String
        let engineVersion: String
        let gitCommit: String?
        let modes: [String]
        let runs: [RunSummary]
        let strengths: [String]
        let weaknesses: [String]
    }

    struct Summary: Encodable, Sendable {
        let folder: String
        let reports: [ReportSummary]
        /// Files that are not reports (named with why), so a broken file is seen rather than hidden.
        let problems: [String]
    }

    /// The reports, newest file name last; `.json` files that do not decode go to `problems`.
    func load() -> (tables: [(file: String, table: ResultsTable)], problems: [String]) {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        var tables: [(file: String, table: ResultsTable)] = [], problems: [String] = []
        for file in files {
            do { tables.append((file, ResultsTable(try EvalReport.load(URL(fileURLWithPath: folder + "/" + file))))) } catch {
                problems.append("\(file): \(error)")
            }
        }
        return (tables, problems)
    }

    func summary() -> Summary {
        let (tables, problems) = load()
        return Summary(folder: folder, reports: tables.map { file, table in
            let report = table.report
            return ReportSummary(
                file: file, createdAt: report.createdAt, model: report.server.model, modelSHA256: report.server.modelSHA256,
                fingerprint: report.server.fingerprint, engineVersion: report.engineVersion, gitCommit: report.gitCommit,
                modes: table.modes,
                runs: report.runs.map { RunSummary(suite: $0.suite, version: $0.suiteVersion, mode: $0.mode, score: $0.score.value,
                                                   low: $0.score.low, high: $0.score.high, correct: $0.score.correct,
                                                   samples: $0.score.total) },
                strengths: table.strengths.map(\.label), weaknesses: table.weaknesses.map(\.label))
        }, problems: problems)
    }

    static func escape(_ text: String) -> String { HTML.escaped(text) }

    /// The page: one table per report, rows by suite, columns by mode; rendered here, so it needs no script.
    func html() -> String {
        let (tables, problems) = load()
        var body = ["<h1>Evaluation results</h1>",
                    "<p class=\"muted\">Every number below comes from a committed report of <code>muse eval</code> "
                        + "(questions asked through <code>/v1/chat/completions</code>, temperature 0); "
                        + "<code>muse eval verify REPORT</code> checks one against a server. <a href=\"/\">Back to the assistant</a></p>"]
        if tables.isEmpty { body.append("<p>No reports in <code>\(Self.escape(folder))</code>.</p>") }
        for (file, table) in tables {
            let report = table.report, server = report.server
            body.append("<section class=\"report\"><h2>\(Self.escape(file))</h2>")
            body.append("<p class=\"muted\">Model <code>\(Self.escape(server.model))</code>, SHA-256 <code class=\"sha\">"
                        + Self.escape(server.modelSHA256 ?? "(prefix in the fingerprint)") + "</code>, fingerprint <code>"
                        + Self.escape(server.fingerprint) + "</code>, engine \(Self.escape(report.engineVersion))"
                        + (report.gitCommit.map { ", commit <code>\(Self.escape(String($0.prefix(12))))</code>" } ?? "")
                        + ", \(Self.escape(report.createdAt))</p>")
            var rows = ["<tr><th>Suite</th><th>Samples</th>" + table.modes.map { "<th>\(Self.escape($0.capitalized))</th>" }.joined() + "</tr>"]
            for row in table.rows {
                rows.append("<tr><th scope=\"row\">\(Self.escape(row.suite))</th><td>\(row.samples)</td>" + table.modes.map { mode in
                    guard let score = row.scores[mode] else { return "<td>-</td>" }
                    return "<td>\(ResultsTable.percent(score.value))% <span class=\"ci\">(95% CI "
                        + "\(ResultsTable.percent(score.low))-\(ResultsTable.percent(score.high))%)</span></td>"
                }.joined() + "</tr>")
            }
            body.append("<table>" + rows.joined(separator: "\n") + "</table>")
            func list(_ runs: [(label: String, score: Proportion)]) -> String {
                runs.map { Self.escape("\($0.label) \(ResultsTable.percent($0.score.value))%") }.joined(separator: ", ")
            }
            body.append("<p><strong>Strongest:</strong> \(list(table.strengths)). <strong>Weakest:</strong> \(list(table.weaknesses)).</p></section>")
        }
        for problem in problems { body.append("<p class=\"problem\">Not a report: \(Self.escape(problem))</p>") }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Muse Spark: results</title><link rel="stylesheet" href="/results.css"></head>
            <body><main>
            \(body.joined(separator: "\n"))
            </main></body></html>

            """
    }

    static let css = """
        body { font: 15px/1.5 system-ui, sans-serif; margin: 0; color: #1d1d1f; background: #fafafa; }
        main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
        .muted, .ci { color: #666; }
        .ci { font-size: 0.85em; white-space: nowrap; }
        .sha { word-break: break-all; }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        th, td { border: 1px solid #ddd; padding: 0.3rem 0.5rem; text-align: right; }
        th[scope=row], tr:first-child th { text-align: left; }
        .problem { color: #a00; }
        """
}

extension MuseAPI {
    func addResultsRoutes(to router: Router<MuseRequestContext>, _ results: EvalResults) {
        router.get("/results") { _, _ in Self.asset(results.html(), type: "text/html; charset=utf-8") }
        router.get("/results.css") { _, _ in Self.asset(EvalResults.css, type: "text/css; charset=utf-8") }
        router.get("/results.json") { _, _ in self.json(results.summary()) }
    }
}
