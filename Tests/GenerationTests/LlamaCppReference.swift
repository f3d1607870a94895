import Foundation
import Generation
import Models
import Testing

/// llama.cpp's recorded answers for a model (Tests/Fixtures: the default model's from
/// ../shared/golden, Gemma 3's from `bench/compare-llamacpp.py --reference`).
struct LlamaCppReference: Decodable {
    struct Candidate: Decodable { let id: Int; let logprob: Float }
    struct Step: Decodable { let token: Int; let logprob: Float; let top: [Candidate] }
    struct Greedy: Decodable {
        let prompt: String
        let prompt_ids: [Int]?     // when absent: the prompt's tokens without special tokens added
        let prompt_tokens: Int?
        let content: String
        let steps: [Step]
    }
    struct Tokenized: Decodable { let text: String; let ids: [Int] }
    let model_sha256: String
    let tokenize: [Tokenized]
    let greedy: [Greedy]

    static func load(_ fixture: String) throws -> LlamaCppReference {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/\(fixture)")
        return try JSONDecoder().decode(LlamaCppReference.self, from: Data(contentsOf: url))
    }

    /// The model at `path`, or a recorded issue saying how to install it.
    static func loadModel(_ path: String) throws -> LoadedModel {
        guard FileManager.default.fileExists(atPath: path) else {
            Issue.record("model missing at \(path): run scripts/setup.sh")
            throw GenerationError.modelMissing(path)
        }
        return try LoadedModel(path: path, threads: 2)
    }

    /// Teacher-forced along llama.cpp's tokens (prompt in one batch, then one token at a time, as
    /// llama.cpp produced them), so every step is compared even if an earlier one differed.
    /// Records an issue for every differing greedy pick; returns the top-5 log-probability gaps.
    static func compareTeacherForced(_ loaded: LoadedModel, prompt: [Int], steps: [Step], context: Int,
                                     label: String) throws -> (picks: Int, same: Int, gaps: [Float]) {
        let session = try loaded.model.makeSession(contextLength: context, batchSize: 256, logitRows: 1)
        var logits = try loaded.model.evaluate(prompt, in: session, logits: .last)
        var same = 0
        var gaps: [Float] = []
        for (index, step) in steps.enumerated() {
            let row = UnsafeBufferPointer(logits.row(0))
            let ours = Sampler.argmax(row)
            if ours == step.token { same += 1 }
            #expect(ours == step.token, "step \(index) of \(label): we pick \(ours), llama.cpp \(step.token)")
            for candidate in step.top {
                gaps.append(abs(Float(Perplexity.logProbability(of: candidate.id, in: row)) - candidate.logprob))
            }
            if index + 1 < steps.count {
                logits = try loaded.model.evaluate([step.token], in: session, logits: .last)
            }
        }
        return (steps.count, same, gaps)
    }

    /// compareTeacherForced over several prompts: a one-line summary and the worst gap.
    static func compareAll(_ loaded: LoadedModel, cases: [(prompt: [Int], steps: [Step], label: String)],
                           context: Int) throws -> (summary: String, worst: Float) {
        var gaps: [Float] = []
        var picks = 0, same = 0
        for c in cases {
            let result = try compareTeacherForced(loaded, prompt: c.prompt, steps: c.steps, context: context, label: c.label)
            picks += result.picks
            same += result.same
            gaps += result.gaps
        }
        let worst = gaps.max() ?? 0
        let mean = gaps.reduce(0, +) / Float(max(gaps.count, 1))
        return ("\(same)/\(picks) greedy picks identical; top-5 logprob |diff| mean \(mean), worst \(worst)", worst)
    }
}
