import ArgumentParser
import Foundation
import Generation
import Kernels
import Models

/// llama-bench-style throughput: prompt processing (ppN) and generation (tgN) in tokens/s.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure prompt processing (pp) and generation (tg) speed, llama-bench style.")

    @OptionGroup var options: ModelOptions

    @Option(name: [.customShort("p"), .customLong("prompt-tokens")], parsing: .upToNextOption,
            help: "Prompt lengths to measure (ppN).")
    var promptTokens: [Int] = [64, 512]

    @Option(name: [.customShort("n"), .customLong("generate-tokens")], parsing: .upToNextOption,
            help: "Generation lengths to measure (tgN).")
    var generateTokens: [Int] = [128]

    @Option(name: .customLong("sequences"), parsing: .upToNextOption,
            help: "Also measure generation of this many sequences decoded together (continuous batching): tgNxS, aggregate t/s.")
    var sequences: [Int] = []

    @Option(name: [.customShort("r"), .customLong("repetitions")], help: "Runs per test; the median is reported.")
    var repetitions: Int = 5

    @Flag(help: "Print one JSON object per test and line instead of a table.")
    var json = false

    /// Token ids are drawn from this fixed seed so every run measures the same work.
    static let tokenSeed: UInt64 = 1234

    struct Result: Encodable {
        let test: String
        let threads: Int
        let tokens_per_second: Double   // median
        let min_tokens_per_second: Double
        let max_tokens_per_second: Double
        let repetitions: Int
        let backend: String
        let model: String
        let model_sha256: String
        let model_bytes: Int
        let load_seconds: Double
        let peak_rss_bytes: Int
        let engine: String
    }

    func run() throws {
        guard repetitions >= 1, promptTokens.allSatisfy({ $0 >= 1 }), generateTokens.allSatisfy({ $0 >= 1 }) else {
            throw CommandFailure("repetitions and token counts must be positive")
        }
        let start = Date()
        let loaded = try options.load()
        let loadSeconds = Date().timeIntervalSince(start)
        let sha = try Self.sha256(of: loaded.path)
        var random = SeededRandom(seed: Self.tokenSeed)
        let vocabulary = loaded.model.info.vocabularySize
        func tokens(_ count: Int) -> [Int] { (0..<count).map { _ in Int(random.next() % UInt64(vocabulary)) } }

        var results: [(String, [Double])] = []
        for count in promptTokens {
            let ids = tokens(count)
            let session = try make(loaded, context: count, batch: min(count, 512))
            _ = try evaluate(loaded, Array(ids.prefix(min(count, 8))), session)  // warm-up: page in the weights
            var speeds: [Double] = []
            for _ in 0..<repetitions {
                session.rewind(to: 0)
                let t0 = Date()
                _ = try evaluate(loaded, ids, session)
                speeds.append(Double(count) / Date().timeIntervalSince(t0))
            }
            results.append(("pp\(count)", speeds))
        }
        for count in generateTokens {
            let ids = tokens(count + 1)
            let session = try make(loaded, context: count + 1, batch: 1)
            var speeds: [Double] = []
            _ = try evaluate(loaded, [ids[0]], session)
            for _ in 0..<repetitions {
                session.rewind(to: 1)
                let t0 = Date()
                for id in ids.dropFirst() { _ = try evaluate(loaded, [id], session) }
                speeds.append(Double(count) / Date().timeIntervalSince(t0))
            }
            results.append(("tg\(count)", speeds))
            for width in sequences where width > 1 {
                results.append(("tg\(count)x\(width)", try batchedGeneration(loaded, steps: count, width: width, tokens: tokens)))
            }
        }

        let rss = Self.peakResidentBytes()
        let size = (try? FileManager.default.attributesOfItem(atPath: loaded.path)[.size] as? Int) ?? 0
        if !json {
            print("model: \(loaded.path)\nsha256: \(sha)\nbackend: \(kernelBackend), threads: \(loaded.pool.threadCount), "
                  + String(format: "load %.3f s, peak RSS %.1f MiB", loadSeconds, Double(rss) / 1_048_576))
            print("| test   |        t/s (median) |   min |   max | runs |")
            print("|--------|--------------------:|------:|------:|-----:|")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for (test, speeds) in results {
            let sorted = speeds.sorted()
            let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2]
                : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
            if json {
                let result = Result(test: test, threads: loaded.pool.threadCount, tokens_per_second: median,
                                    min_tokens_per_second: sorted[0], max_tokens_per_second: sorted[sorted.count - 1],
                                    repetitions: repetitions, backend: kernelBackend, model: loaded.path,
                                    model_sha256: sha, model_bytes: size, load_seconds: loadSeconds,
                                    peak_rss_bytes: rss, engine: MuseVersion.engine)
                print(String(decoding: try encoder.encode(result), as: UTF8.self))
            } else {
                print("| \(test.padding(toLength: 6, withPad: " ", startingAt: 0)) |" + String(format: " %19.2f | %5.1f | %5.1f | %4d |", median,
                             sorted[0], sorted[sorted.count - 1], repetitions))
            }
        }
    }

    /// `width` sequences decoded together for `steps` tokens each: aggregate tokens/s per run.
    private func batchedGeneration(_ loaded: LoadedModel, steps: Int, width: Int, tokens: (Int) -> [Int]) throws -> [Double] {
        let ids = (0..<width).map { _ in tokens(steps + 1) }
        let sessions = try ids.map { _ in try make(loaded, context: steps + 1, batch: 1) }
        let workspace: InferenceSession
        do { workspace = try loaded.model.makeWorkspace(maxSequences: width, maxTokens: width) } catch { throw CommandFailure(error) }
        for (sequence, session) in zip(ids, sessions) { _ = try evaluate(loaded, [sequence[0]], session) }
        var speeds: [Double] = []
        for _ in 0..<repetitions {
            for session in sessions { session.rewind(to: 1) }
            let t0 = Date()
            for step in 1...steps {
                do { _ = try loaded.model.decode(ids.map { [$0[step]] }, sessions: sessions, workspace: workspace) }
                catch { throw CommandFailure(error) }
            }
            speeds.append(Double(steps * width) / Date().timeIntervalSince(t0))
        }
        return speeds
    }

    private func make(_ loaded: LoadedModel, context: Int, batch: Int) throws -> InferenceSession {
        do { return try loaded.model.makeSession(contextLength: context, batchSize: batch, logitRows: 1) }
        catch { throw CommandFailure(error) }
    }

    private func evaluate(_ loaded: LoadedModel, _ ids: [Int], _ session: InferenceSession) throws -> Logits {
        do { return try loaded.model.evaluate(ids, in: session, logits: .last) } catch { throw CommandFailure(error) }
    }

    /// The model file's SHA-256, by the system's sha256sum (coreutils).
    static func sha256(of path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch { throw CommandFailure("cannot run sha256sum: \(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let hash = String(decoding: data, as: UTF8.self).split(separator: " ").first
        else { throw CommandFailure("sha256sum failed on \(path)") }
        return String(hash)
    }

    static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024  // Linux reports KiB
    }
}
