import Foundation
import Testing

/// End-to-end tests of the `muse` binary, run as a user would (scripts/test.sh builds it first).
@Suite(.serialized) struct CLITests {
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["MUSE_BIN"] { return path }
        for configuration in ["release", "debug"] {
            let path = repositoryRoot.appendingPathComponent(".build/\(configuration)/muse").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return repositoryRoot.appendingPathComponent(".build/release/muse").path
    }

    static func muse(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = isolated(environment)
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                   stderr: String(decoding: stderrData, as: UTF8.self))
    }

    /// The environment of a test's `muse`: its own empty store and no user config file, unless the
    /// test names them.
    static func isolated(_ environment: [String: String]) -> [String: String] {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("muse-cli-\(UUID().uuidString)").path
        let defaults = ["MUSE_DATA_DIR": scratch + "/data", "XDG_CONFIG_HOME": scratch + "/config"]
        return ProcessInfo.processInfo.environment.merging(defaults) { _, new in new }.merging(environment) { _, new in new }
    }

    @Test func binaryExists() {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary),
                "muse binary missing at \(Self.binary): run scripts/test.sh (it builds it)")
    }

    @Test func tokenizePrintsJSONIds() throws {
        let run = try Self.muse(["tokenize", "Hello world"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "[19556,905]\n")
        let special = try Self.muse(["tokenize", "<|im_start|>user"])
        #expect(special.stdout == "[1,4093]\n")
    }

    @Test func generateGreedyMatchesLlamaCpp() throws {
        let run = try Self.muse(["generate", "--prompt", "The capital of France is", "--max-tokens", "12",
                                 "--temperature", "0"])
        #expect(run.status == 0, "\(run.stderr)")
        // llama.cpp's greedy continuation (Tests/Fixtures), 12 tokens of it; stdout has only the text.
        #expect(run.stdout == " Paris.\n\nThe United States has a population of approximately\n")
        #expect(run.stderr.contains("tokens/s"))
    }

    @Test func generateWithChatTemplateAndStopString() throws {
        // The fixture's chat prompt; llama.cpp answers "The answer to this classic math problem is 4."
        let run = try Self.muse(["generate", "--chat", "--prompt", "What is 2 + 2?",
                                 "--max-tokens", "40", "--temperature", "0", "--stop", "."])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("The answer"))
        #expect(run.stdout.contains("4"))
        #expect(!run.stdout.contains("."))
    }

    @Test func inspectShowsMetadataAndTensors() throws {
        let run = try Self.muse(["inspect", "--tensors"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("llama.block_count = 30"))
        #expect(run.stdout.contains("272 tensors"))
        #expect(run.stdout.contains("token_embd.weight [576, 49152] Q8_0"))
    }

    @Test func chatAnswersFromStandardInput() throws {
        let run = try Self.muse(["chat", "--temperature", "0", "--max-tokens", "24"],
                                stdin: "What is 2 + 2?\n/reset\nWhat is 2 + 2?\n")
        #expect(run.status == 0, "\(run.stderr)")
        let answers = run.stdout.split(separator: "\n").filter { !$0.isEmpty }
        #expect(answers.count == 2, "two answers, one per question: \(run.stdout)")
        #expect(answers.allSatisfy { $0.contains("4") })
        #expect(answers.first == answers.last, "after /reset the same question gets the same greedy answer")
    }

    @Test func perplexityEndsWithPPLLine() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("muse-ppl-\(getpid()).txt")
        let text = try String(contentsOfFile: "/usr/share/common-licenses/GPL-3", encoding: .utf8)
        try String(text.prefix(3000)).write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let run = try Self.muse(["perplexity", "--file", file.path, "--ctx", "128"])
        #expect(run.status == 0, "\(run.stderr)")
        let last = run.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("PPL = "))
        let value = Double(last.dropFirst("PPL = ".count).split(separator: " ").first ?? "") ?? 0
        #expect(value > 1 && value < 100, "\(last)")
    }

    @Test func benchPrintsOneJSONObjectPerTest() throws {
        let run = try Self.muse(["bench", "-p", "8", "-n", "4", "-r", "2", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        let objects = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
        #expect(objects.map { $0["test"] as? String } == ["pp8", "tg4"])
        for object in objects {
            #expect((object["tokens_per_second"] as? Double ?? 0) > 0)
            #expect(object["threads"] as? Int == ProcessInfo.processInfo.activeProcessorCount)
            #expect(object["model_sha256"] as? String == "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53")
        }
    }

    @Test func oversizedPromptIsAClearError() throws {
        let prompt = String(repeating: "word ", count: 64)  // "word" then 63 " word", then " ": 65 tokens
        let run = try Self.muse(["generate", "--prompt", prompt, "--ctx", "16", "--max-tokens", "4"])
        #expect(run.status != 0)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("the prompt has 65 tokens but the context holds 16"))
    }

    @Test func invalidSamplingIsAClearError() throws {
        let run = try Self.muse(["generate", "--prompt", "hi", "--temperature", "-1"])
        #expect(run.status != 0)
        #expect(run.stderr.lowercased().contains("temperature"))
    }

    @Test func missingModelSaysHowToGetIt() throws {
        let run = try Self.muse(["generate", "--prompt", "hi", "--model", "/nonexistent/model.gguf"])
        #expect(run.status != 0)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("scripts/setup.sh"))
    }

    @Test func corruptModelIsAClearError() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("muse-corrupt-\(getpid()).gguf")
        try Data("GGUF\u{3}\0\0\0garbage".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let run = try Self.muse(["generate", "--prompt", "hi", "--model", file.path])
        #expect(run.status != 0)
        #expect(run.stderr.contains(file.path))
    }
}
