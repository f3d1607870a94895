import Foundation

/// Runs suites in modes against a server and builds the report; verifies a report by asking again.
public struct EvalRunner: Sendable {
    public let client: EvalClient
    /// Requests in flight at once: the server batches them, as it would for partners.
    public let concurrency: Int
    public static let temperature = 0.0
    public static let seed = 1234

    public init(client: EvalClient, concurrency: Int = 4) {
        self.client = client
        self.concurrency = max(1, concurrency)
    }

    public func run(suite: EvalSuite, file: String, mode: String, limit: Int?, model: String) async throws
        -> (run: EvalReport.Run, fingerprint: String) {
        let items = Array(suite.items.prefix(limit ?? suite.items.count))
        let reference = Set(suite.header.reference ?? [])
        let answers = try await ask(items.map { Question(prompt: $0.prompt, image: $0.image) }, mode: mode, model: model, maxTokens: suite.header.max_tokens)
        let samples = zip(items, answers).map { item, answer in
            let scored = Scorer.score(output: answer.content, item: item, reference: reference)
            return EvalReport.Sample(id: item.id, prompt: item.prompt, output: answer.content, reasoning: answer.reasoning,
                                     extracted: scored.extracted, expected: item.answer, correct: scored.correct)
        }
        let run = EvalReport.Run(suite: suite.header.suite, suiteVersion: suite.header.version, suiteSHA256: suite.sha256,
                                 suiteFile: file, mode: mode, temperature: Self.temperature, maxTokens: suite.header.max_tokens,
                                 seed: Self.seed, systemPrompt: nil,
                                 score: Proportion(correct: samples.filter(\.correct).count, total: samples.count), samples: samples)
        return (run, answers.first?.fingerprint ?? "")
    }

    /// One item as asked: its text and, for image suites, its picture as a data URL.
    struct Question: Sendable {
        let prompt: String
        let image: String?
    }

    /// Answers in item order, `concurrency` requests at a time.
    func ask(_ prompts: [Question], mode: String, model: String, maxTokens: Int) async throws -> [EvalClient.Answer] {
        var answers = [EvalClient.Answer?](repeating: nil, count: prompts.count)
        var next = 0
        try await withThrowingTaskGroup(of: (Int, EvalClient.Answer).self) { group in
            func start(_ index: Int) {
                group.addTask {
                    (index, try await client.ask(model: model, mode: mode, system: nil, prompt: prompts[index].prompt,
                                                 image: prompts[index].image,
                                                 temperature: Self.temperature, maxTokens: maxTokens, seed: Self.seed))
                }
            }
            // The first question goes alone: a server builds some state on first use (Shopping mode's
            // product embedding index), and concurrent first requests would race on it.
            if !prompts.isEmpty {
                start(0)
                next = 1
                if let (index, answer) = try await group.next() { answers[index] = answer }
            }
            while next < min(concurrency, prompts.count) { start(next); next += 1 }
            for try await (index, answer) in group {
                answers[index] = answer
                if next < prompts.count { start(next); next += 1 }
            }
        }
        return answers.compactMap { $0 }
    }

    /// Re-asks the first `perRun` items of every run and compares: the server's fingerprint and
    /// each output must be the same (temperature 0 and a fixed seed make answers exact).
    public func verify(_ report: EvalReport, suites: [String: EvalSuite], perRun: Int) async throws -> [String] {
        var problems = report.inconsistencies(suites: suites)
        for run in report.runs {
            guard let suite = suites[run.suite] else { continue }
            let byID = Dictionary(uniqueKeysWithValues: suite.items.map { ($0.id, $0) })
            let chosen = run.samples.prefix(perRun)
            let answers = try await ask(chosen.map { Question(prompt: byID[$0.id]?.prompt ?? $0.prompt, image: byID[$0.id]?.image) },
                                        mode: run.mode,
                                        model: report.server.model, maxTokens: run.maxTokens)
            for (sample, answer) in zip(chosen, answers) {
                if answer.fingerprint != report.server.fingerprint {
                    problems.append("server fingerprint \(answer.fingerprint) is not the report's \(report.server.fingerprint)")
                    return problems
                }
                if answer.content != sample.output {
                    problems.append("\(run.suite)/\(run.mode)/\(sample.id): the server now answers \(answer.content.debugDescription), "
                                    + "the report says \(sample.output.debugDescription)")
                }
            }
        }
        return problems
    }
}
