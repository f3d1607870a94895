import Evaluation
import Foundation
import Hummingbird
import Server
import Testing

/// The results page and its JSON over the committed reports (evals/reports), in-process.
@Suite struct ResultsPageTests {
    static let reports = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../evals/reports").standardizedFileURL.path

    /// Figures go through JSON text and back (Foundation's parser may differ from the encoder in the last bit).
    static let decimalRoundTrip = 1e-12

    func client(folder: String?) throws -> InProcessClient {
        let shared = try TestServer.shared.get()
        var settings = shared.settings
        settings.resultsFolder = folder
        return InProcessClient(MuseAPI(scheduler: shared.scheduler, settings: settings))
    }

    /// Every committed report's figures, as the report file has them, are on the page and in the JSON.
    @Test func pageAndJSONShowTheCommittedReportsFigures() async throws {
        let client = try client(folder: Self.reports)
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.reports).filter { $0.hasSuffix(".json") }.sorted()
        try #require(!files.isEmpty)
        let summary = try await client.execute(uri: "/results.json", method: .get) { try jsonObject($0.body) }
        let listed = try #require(summary["reports"] as? [[String: Any]])
        #expect(listed.compactMap { $0["file"] as? String } == files)
        #expect((summary["problems"] as? [Any])?.isEmpty == true)
        let page = try await client.execute(uri: "/results", method: .get) { $0 }
        #expect(page.status == .ok && page.headers[.contentType]?.hasPrefix("text/html") == true)
        let html = String(buffer: page.body)
        for (file, shown) in zip(files, listed) {
            let report = try EvalReport.load(URL(fileURLWithPath: Self.reports + "/" + file))
            #expect(shown["fingerprint"] as? String == report.server.fingerprint && shown["engineVersion"] as? String == report.engineVersion)
            #expect(shown["modelSHA256"] as? String == report.server.modelSHA256)
            #expect(html.contains(report.server.fingerprint) && html.contains(report.server.modelSHA256 ?? report.server.fingerprint))
            let runs = try #require(shown["runs"] as? [[String: Any]])
            try #require(runs.count == report.runs.count)
            for (run, json) in zip(report.runs, runs) {
                #expect(json["suite"] as? String == run.suite && json["mode"] as? String == run.mode)
                func same(_ key: String, _ value: Double) -> Bool {
                    guard let shown = (json[key] as? NSNumber)?.doubleValue else { return false }
                    return abs(shown - value) <= Self.decimalRoundTrip
                }
                #expect(same("score", run.score.value) && same("low", run.score.low) && same("high", run.score.high)
                        && (json["samples"] as? NSNumber)?.intValue == run.score.total, "\(json)")
                let cell = "\(ResultsTable.percent(run.score.value))% <span class=\"ci\">(95% CI "
                    + "\(ResultsTable.percent(run.score.low))-\(ResultsTable.percent(run.score.high))%)</span>"
                #expect(html.contains(cell), "\(run.suite) \(run.mode): \(cell)")
            }
        }
    }

    @Test func aFileThatIsNotAReportIsNamedAndNoFolderMeansNoPage() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("muse-results-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("{\"not\": \"a report\"}".utf8).write(to: URL(fileURLWithPath: folder + "/broken.json"))
        let summary = try await client(folder: folder).execute(uri: "/results.json", method: .get) { try jsonObject($0.body) }
        #expect((summary["reports"] as? [Any])?.isEmpty == true)
        #expect((summary["problems"] as? [String])?.first?.hasPrefix("broken.json: ") == true)
        let none = try await client(folder: nil).execute(uri: "/results", method: .get) { $0.status }
        #expect(none == .notFound)
    }
}
