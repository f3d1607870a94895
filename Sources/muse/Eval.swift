import ArgumentParser
import Evaluation
import Foundation

struct Eval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the evaluation suites through the HTTP API and write a report (JSON and Markdown).",
        discussion: """
            Every question goes through /v1/chat/completions, as partners' do: against --base-url, or a `muse serve` \
            started for the run (its own empty store, keys off, loopback). Temperature 0 and a fixed seed make a run \
            repeatable; the report records the server's fingerprint (model SHA-256 prefix, engine version), the git \
            commit, each suite's SHA-256 and every sample, and each score with its 95% Wilson interval. A suite whose \
            header asks for a setup gets it in the server started for the run: shelf imports \
            Tests/ShelfTests/Fixtures/catalogue.jsonl, shopping seeds its small world (asked in Shopping mode only); \
            a --base-url server must hold them already (muse catalog import, muse shopping seed).
            """,
        subcommands: [Run.self, Generate.self, Verify.self, Table.self], defaultSubcommand: Run.self)

    struct ServerOptions: ParsableArguments {
        @Option(name: .customLong("base-url"), help: "A running server's API root, e.g. http://127.0.0.1:8080/v1 (default: start one).")
        var baseURL: String?
        @Option(name: .customLong("api-key"), help: "Partner key for --base-url (env MUSE_API_KEY).")
        var apiKey: String?
        @Option(help: "Folder of the suite files.") var suites = "evals/suites"

        func loadSuites() throws -> [String: (suite: EvalSuite, file: String)] {
            let folder = URL(fileURLWithPath: suites)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.filter { $0.hasSuffix(".jsonl") }.sorted() ?? []
            guard !files.isEmpty else { throw CommandFailure("no suite files (*.jsonl) in \(suites)") }
            var loaded: [String: (EvalSuite, String)] = [:]
            for file in files {
                let suite: EvalSuite
                do { suite = try EvalSuite(contentsOf: folder.appendingPathComponent(file)) } catch { throw CommandFailure(error) }
                loaded[suite.header.suite] = (suite, suites + "/" + file)
            }
            return loaded
        }

        /// The client, and the server process started for it (nil with --base-url), whose store
        /// gets what the suites' headers ask for (`setup`: a shelf catalogue, a shopping world).
        func connect(for suites: [EvalSuite]) async throws -> (client: EvalClient, process: Process?, modelSHA256: String?) {
            let key = apiKey ?? ProcessInfo.processInfo.environment["MUSE_API_KEY"]
            if let baseURL { return (EvalClient(baseURL: baseURL, apiKey: key), nil, nil) }
            let local = try await LocalServer.start(setup: suites.compactMap(\.header.setup))
            return (EvalClient(baseURL: "http://127.0.0.1:\(local.port)/v1", apiKey: nil), local.process, local.modelSHA256)
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Run suites in modes and write the report.")
        @OptionGroup var server: ServerOptions
        @Option(help: "Suite names, comma-separated, or all.") var suite = "all"
        @Option(help: "Modes, comma-separated: default, instant, thinking, contemplating, health.") var mode = "instant,thinking,contemplating"
        @Option(help: "Only the first N items of each suite.") var limit: Int?
        @Option(help: "Report path without extension (default evals/reports/report-DATE).") var out: String?

        func run() async throws {
            let suites = try server.loadSuites()
            let names = suite == "all" ? suites.keys.sorted() : suite.split(separator: ",").map(String.init)
            for name in names where suites[name] == nil { throw CommandFailure("no suite named \(name) in \(server.suites)") }
            let modes = mode.split(separator: ",").map(String.init)
            let commit = LocalServer.gitCommit()  // before the run: the code the answers came from
            let (client, process, modelSHA256) = try await server.connect(for: names.compactMap { suites[$0]?.suite })
            defer { process?.terminate() }
            let runner = EvalRunner(client: client)
            let model: String
            do { model = try await client.servedModel() } catch { throw CommandFailure(error) }
            var runs: [EvalReport.Run] = [], fingerprint = ""
            for name in names {
                guard let (suite, file) = suites[name] else { continue }
                for mode in suite.header.mode.map({ [$0] }) ?? modes {
                    let started = Date()
                    let result: (run: EvalReport.Run, fingerprint: String)
                    do { result = try await runner.run(suite: suite, file: file, mode: mode, limit: limit, model: model) }
                    catch { throw CommandFailure(error) }
                    fingerprint = result.fingerprint
                    runs.append(result.run)
                    let s = result.run.score
                    let numbers = String(format: "%.1f%%, 95%% CI %.1f-%.1f%%) in %.0f s", s.value * 100, s.low * 100, s.high * 100,
                                         Date().timeIntervalSince(started))
                    printError("eval: \(name) \(mode): \(s.correct)/\(s.total) (" + numbers)
                }
            }
            let formatter = ISO8601DateFormatter()
            let report = EvalReport(createdAt: formatter.string(from: Date()), engineVersion: MuseVersion.engine,
                                    gitCommit: commit,
                                    server: .init(baseURL: client.baseURL, model: model, fingerprint: fingerprint, modelSHA256: modelSHA256),
                                    runs: runs)
            let base = out ?? "evals/reports/report-" + String(formatter.string(from: Date()).prefix(10))
            try FileManager.default.createDirectory(atPath: (base as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try report.json().write(to: URL(fileURLWithPath: base + ".json"))
            try report.markdown(reportPath: base + ".json").write(toFile: base + ".md", atomically: true, encoding: .utf8)
            print(report.markdown(reportPath: base + ".json"), terminator: "")
        }
    }

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the generated suites (arithmetic, nutrition, shelf, shopping) from their seeds and fixtures.",
            discussion: "Run from the repository root: the shelf suite reads Tests/ShelfTests/Fixtures.")
        @Option(help: "Folder of the suite files.") var suites = "evals/suites"

        func run() async throws {
            let generated: [(EvalSuite.Header, [EvalItem])]
            do {
                generated = [(ArithmeticSuite.header(), ArithmeticSuite.items()), (NutritionSuite.header(), try NutritionSuite.items()),
                             (ShelfSuite.header(), try ShelfSuite.items()), (try ShoppingSuite.header(), try ShoppingSuite.items())]
            } catch { throw CommandFailure(error) }
            for (header, items) in generated {
                let path = suites + "/\(header.suite)-v\(header.version).jsonl"
                try EvalSuite.text(header: header, items: items).write(toFile: path, atomically: true, encoding: .utf8)
                print(path)
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a report: its scores against its outputs, and a server's answers and fingerprint against it.")
        @OptionGroup var server: ServerOptions
        @Argument(help: "The report (JSON).") var report: String
        @Option(help: "Items re-asked per run.") var items = 5

        func run() async throws {
            let loaded: EvalReport
            do { loaded = try EvalReport.load(URL(fileURLWithPath: report)) } catch { throw CommandFailure(error) }
            let suites = try server.loadSuites().mapValues(\.suite)
            let (client, process, _) = try await server.connect(for: Set(loaded.runs.map(\.suite)).compactMap { suites[$0] })
            defer { process?.terminate() }
            let problems: [String]
            do { problems = try await EvalRunner(client: client).verify(loaded, suites: suites, perRun: items) } catch { throw CommandFailure(error) }
            guard problems.isEmpty else {
                for problem in problems { printError("verify: " + problem) }
                throw CommandFailure("verify: \(report) does not hold (\(problems.count) problems)")
            }
            print("verify: \(report) holds: \(loaded.runs.count) runs re-scored, \(items) items per run asked again, fingerprint \(loaded.server.fingerprint)")
        }
    }

    struct Table: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a report's results as the Markdown table README shows: suites by mode, strengths and weaknesses.")
        @Argument(help: "The report (JSON).") var report: String

        func run() throws {
            let loaded: EvalReport
            do { loaded = try EvalReport.load(URL(fileURLWithPath: report)) } catch { throw CommandFailure(error) }
            print(ResultsTable(loaded).markdown(reportPath: report), terminator: "")
        }
    }
}
