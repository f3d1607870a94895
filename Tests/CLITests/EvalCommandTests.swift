import Foundation
import Testing

/// `muse eval` end to end: a run through a server it starts, `verify` on the fresh report, and
/// `verify` refusing a tampered one.
@Suite(.serialized) struct EvalCommandTests {
    @Test func aFreshReportVerifiesAndATamperedOneDoesNot() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("muse-eval-\(UUID().uuidString)").path
        let out = folder + "/report"
        let run = try CLITests.muse(["eval", "--suite", "arithmetic", "--mode", "instant", "--limit", "3", "--out", out])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("| arithmetic v1 | instant |"), "\(run.stdout)")
        let report = try String(contentsOfFile: out + ".json", encoding: .utf8)
        #expect(report.contains("\"fingerprint\" : \"muse-") && report.contains("\"suiteSHA256\""))
        let fresh = try CLITests.muse(["eval", "verify", out + ".json", "--items", "2"])
        #expect(fresh.status == 0 && fresh.stdout.contains("holds"), "\(fresh.stderr)")

        // An output rewritten (keeping its score consistent) is caught by asking again.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any])
        var runs = try #require(object["runs"] as? [[String: Any]])
        var samples = try #require(runs[0]["samples"] as? [[String: Any]])
        samples[0]["output"] = "I am certain: \(samples[0]["expected"] ?? "")"
        samples[0]["correct"] = true
        runs[0]["samples"] = samples
        var tampered = object
        tampered["runs"] = runs
        try JSONSerialization.data(withJSONObject: tampered).write(to: URL(fileURLWithPath: out + "-tampered.json"))
        let caught = try CLITests.muse(["eval", "verify", out + "-tampered.json", "--items", "2"])
        #expect(caught.status != 0, "\(caught.stdout)")
        #expect(caught.stderr.contains("arith-1"), "\(caught.stderr)")
    }

    /// The shelf and shopping suites get their catalogue and world in the server `muse eval`
    /// starts; Shopping mode answers from the seeded catalogue; `eval table` prints the report.
    @Test func shelfAndShoppingSuitesRunOnTheStoreTheyNeed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("muse-eval-\(UUID().uuidString)").path
        let out = folder + "/report"
        let run = try CLITests.muse(["eval", "--suite", "shelf,shopping", "--mode", "instant", "--limit", "2", "--out", out])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("imported 32 catalogue products") && run.stderr.contains("seeded the shopping world"), "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + ".json"))) as? [String: Any])
        let runs = try #require(object["runs"] as? [[String: Any]])
        #expect(runs.map { "\($0["suite"] ?? "") \($0["mode"] ?? "")" } == ["shelf instant", "shopping shopping"])
        let shopping = try #require(runs.last?["samples"] as? [[String: Any]])
        #expect(shopping.count == 2 && shopping.allSatisfy { ($0["output"] as? String)?.hasPrefix("Here is what I found") == true },
                "\(shopping)")
        #expect((object["server"] as? [String: Any])?["modelSHA256"] as? String != nil)
        let table = try CLITests.muse(["eval", "table", out + ".json"])
        #expect(table.status == 0 && table.stdout.contains("| shelf v1 | 2 | ") && table.stdout.contains("| shopping |"), "\(table.stdout)")
    }

    /// README's results tables are exactly what `muse eval table` prints from the committed reports.
    @Test func readmeTablesAreTheCommittedReportsTables() throws {
        let readme = try String(contentsOf: CLITests.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let folder = CLITests.repositoryRoot.appendingPathComponent("evals/reports")
        let reports = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        try #require(!reports.isEmpty)
        for report in reports {
            // Relative, as README names it: tests run from the repository root (the eval tests read evals/suites so too).
            let table = try CLITests.muse(["eval", "table", "evals/reports/" + report])
            #expect(table.status == 0, "\(table.stderr)")
            let lines = table.stdout.split(separator: "\n").filter { !$0.isEmpty }
            try #require(lines.count >= 5)
            for line in lines { #expect(readme.contains(line), "README lacks the line of \(report): \(line)") }
        }
    }
}

