import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `muse keys`, `muse usage` and the config file as a user meets them, and usage that survives
/// `kill -9`.
@Suite(.serialized) struct PartnerCommandTests {
    static func scratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("muse-partner-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func json(_ text: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    }

    @Test func keysAreCreatedListedAndRevoked() throws {
        let data = try Self.scratch()
        let created = try CLITests.muse(["keys", "create", "--data-dir", data, "--partner", "Acme", "--rpm", "5", "--models", "smol,other"])
        #expect(created.status == 0, "\(created.stderr)")
        let secret = try #require(created.stdout.split(separator: "\n").last.map(String.init))
        #expect(secret.hasPrefix("sk-muse-") && secret.count == 48, "the key alone on the last line: \(created.stdout)")
        let listed = try CLITests.muse(["keys", "list", "--data-dir", data, "--json"])
        #expect(!listed.stdout.contains(secret), "a listing never shows the secret")
        let key = try #require(try Self.json(listed.stdout).first)
        #expect(key["partner"] as? String == "Acme" && key["requestsPerMinute"] as? Int == 5)
        #expect(key["models"] as? [String] == ["smol", "other"] && key["prefix"] as? String == String(secret.prefix(12)))
        let table = try CLITests.muse(["keys", "list", "--data-dir", data])
        #expect(table.stdout.contains("Acme") && table.stdout.contains("5 rpm") && table.stdout.contains("active"))

        let revoked = try CLITests.muse(["keys", "revoke", "--data-dir", data, String(secret.prefix(12))])
        #expect(revoked.status == 0 && revoked.stdout.contains("revoked"), "\(revoked.stderr)")
        #expect(try CLITests.muse(["keys", "list", "--data-dir", data]).stdout.contains("revoked 20"))

        let bad = try CLITests.muse(["keys", "create", "--data-dir", data, "--partner", "x", "--rpm", "0"])
        #expect(bad.status != 0 && bad.stderr.contains("--rpm must be at least 1"))
        let unknown = try CLITests.muse(["keys", "revoke", "--data-dir", data, "key_nothing"])
        #expect(unknown.status != 0 && unknown.stderr.contains("no key has the id or prefix 'key_nothing'"))
        let badURL = try CLITests.muse(["keys", "list", "--database-url", "mysql://localhost/x"])
        #expect(badURL.status != 0 && badURL.stderr.contains("neither postgres://"))
    }

    @Test func settingsComeFromFlagEnvironmentConfigFileThenDefault() throws {
        let folder = try Self.scratch()
        let config = folder + "/muse.toml"
        try """
            # a comment
            port = 1234
            max_queue = 7          # underscores work too
            auth = "off"
            data-dir = "\(folder)/store"
            replica-id = "eu-1"
            """.write(toFile: config, atomically: true, encoding: .utf8)
        // MUSE_DATA_DIR (set for every test's muse) would beat the file's data-dir.
        let fromFile = try CLITests.muse(["serve", "--config", config, "--print-config"], environment: ["MUSE_DATA_DIR": ""])
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        for line in ["port: 1234", "max-queue: 7", "auth: off", "store: sqlite:\(folder)/store/muse.sqlite3", "config file: \(config)",
                     "replica-id: eu-1"] {
            #expect(fromFile.stdout.contains(line), "\(line) not in \(fromFile.stdout)")
        }
        let fromEnvironment = try CLITests.muse(["serve", "--config", config, "--print-config"], environment: ["MUSE_PORT": "999"])
        #expect(fromEnvironment.stdout.contains("port: 999"))
        let fromFlag = try CLITests.muse(["serve", "--config", config, "--print-config", "--port", "5"], environment: ["MUSE_PORT": "999"])
        #expect(fromFlag.stdout.contains("port: 5"))
        let defaults = try CLITests.muse(["serve", "--print-config"])
        #expect(defaults.stdout.contains("port: 8080") && defaults.stdout.contains("auth: auto") && defaults.stdout.contains("config file: (none)"))

        try "port = 1\nprot = 2\n".write(toFile: config, atomically: true, encoding: .utf8)
        let typo = try CLITests.muse(["serve", "--config", config, "--print-config"])
        #expect(typo.status != 0 && typo.stderr.contains("muse.toml:2: unknown key 'prot'"), "\(typo.stderr)")
        let missing = try CLITests.muse(["serve", "--config", folder + "/nope.toml", "--print-config"])
        #expect(missing.status != 0 && missing.stderr.contains("cannot be read"))
    }

    @Test func usageSurvivesKillNineAndMarksTheRequestThatWasRunning() async throws {
        let data = try Self.scratch()
        let created = try CLITests.muse(["keys", "create", "--data-dir", data, "--partner", "Acme"])
        let key = try #require(created.stdout.split(separator: "\n").last.map(String.init))
        // One slot with room for a 2000-token answer: the kill must land while that answer runs.
        let arguments = ["serve", "--ctx", "2048", "--slots", "1", "--data-dir", data, "--port", "0", "--model-id", "smol"]
        let server = try ServerProcess(arguments: arguments, environment: [:])
        defer { server.stop() }
        let port = try await ServeCommandTests.waitFor("the server to listen (\(server.stderr))") { server.port }
        let base = "http://127.0.0.1:\(port)"
        let short = #"{"model":"smol","messages":[{"role":"user","content":"Hi"}],"max_tokens":5,"temperature":0}"#
        #expect(try await ServeCommandTests.request(base + "/v1/chat/completions", body: short).status == 401, "a key is required")
        for _ in 0..<3 {
            let answer = try await ServeCommandTests.request(base + "/v1/chat/completions", body: short, key: key)
            #expect(answer.status == 200, "\(answer.text)")
        }
        // A long answer is running when the server is killed. The request and the polls run on
        // URLSession's own threads and this one, never waiting for a cooperative thread: with the
        // whole suite running in parallel on 2 cores those can be busy for longer than an answer.
        let long = #"{"model":"smol","messages":[{"role":"user","content":"Tell me a story."}],"max_tokens":2000,"#
            + #""logit_bias":{"0":-100,"1":-100,"2":-100}}"#
        let running = BlockingHTTP.start(base + "/v1/chat/completions", body: long, key: key)
        let seenRunning = BlockingHTTP.poll(seconds: 300) {
            BlockingHTTP.get(base + "/metrics")?.contains("\nmuse_queue_depth 1\n") == true
        }
        #expect(seenRunning, "the long request never showed as running; finished: \(running.isFinished)")
        #expect(!running.isFinished, "the long answer ended before the kill")
        kill(server.process.processIdentifier, SIGKILL)
        server.process.waitUntilExit()
        _ = running.wait()

        let records = try Self.json(try CLITests.muse(["usage", "--data-dir", data, "--requests", "--json"]).stdout)
        #expect(records.count == 4, "\(records)")  // the 401 had no key: not metered
        let finished = records.filter { $0["status"] as? Int == 200 }
        #expect(finished.count == 3)
        #expect(finished.allSatisfy { $0["completionTokens"] as? Int == 5 && $0["partner"] as? String == "Acme" })
        #expect(records.filter { $0["status"] as? Int == 0 }.count == 1, "the killed request is on record as interrupted")
        let restarted = try ServerProcess(arguments: arguments, environment: [:])
        defer { restarted.stop() }
        let newPort = try await ServeCommandTests.waitFor("the restarted server (\(restarted.stderr))") { restarted.port }
        #expect(try await ServeCommandTests.request("http://127.0.0.1:\(newPort)/v1/chat/completions", body: short, key: key).status == 200)
        let summary = try CLITests.muse(["usage", "--data-dir", data])
        #expect(summary.stdout.contains("Acme"), "\(summary.stdout)")
        let totals = try #require(try Self.json(try CLITests.muse(["usage", "--data-dir", data, "--json"]).stdout).first)
        #expect(totals["requests"] as? Int == 5 && totals["interrupted"] as? Int == 1 && totals["completionTokens"] as? Int ?? 0 >= 20)
    }
}
