import Foundation
import Generation
import Models
import Testing
import Tokenization

/// Our engine against llama.cpp's answers for the default model (Tests/Fixtures, from ../shared/golden).
@Suite(.serialized) struct GoldenOutputTests {
    /// The issue's target for top-5 log-probabilities against llama.cpp. Not met yet: measured
    /// (teacher-forced, 172 steps x 5) 46% within it, mean |diff| 0.088, worst 0.85 (README,
    /// "Accuracy"). The bounds below guard against regressions until the gap is found.
    static let logprobTarget: Float = 0.05
    static let withinTargetShare = 0.40
    static let meanBound: Float = 0.10
    static let logprobBound: Float = 1.0
    /// Greedy picks: measured 166 of 172 identical; a different pick is allowed only where
    /// llama.cpp's own top two were closer than `nearTie` nats.
    static let minimumSamePicks = 0.95
    static let nearTie: Float = 0.3
    /// llama.cpp's perplexity on GPL-3 with 512-token chunks, and the accepted relative difference (1%).
    static let referencePerplexity = 18.3797
    static let perplexityTolerance = 0.01

    struct Golden: Decodable {
        struct Candidate: Decodable { let id: Int; let logprob: Float }
        struct Step: Decodable { let token: Int; let logprob: Float; let top: [Candidate] }
        struct Greedy: Decodable { let prompt: String; let prompt_tokens: Int; let content: String; let steps: [Step] }
        let greedy: [Greedy]
    }

    static func golden() throws -> Golden {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/smollm2-135m-instruct-q4_1.json")
        return try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
    }

    static func loadModel() throws -> LoadedModel {
        let path = LoadedModel.defaultModelPath
        guard FileManager.default.fileExists(atPath: path) else {
            Issue.record("default model missing at \(path): run scripts/setup.sh")
            throw GenerationError.modelMissing(path)
        }
        return try LoadedModel(path: path, threads: 2)
    }

    /// Teacher-forced along llama.cpp's tokens, so one near-tie cannot hide every later step.
    @Test func logprobsAndGreedyPicksMatchLlamaCpp() throws {
        let golden = try Self.golden()
        let loaded = try Self.loadModel()
        var differences: [Float] = []
        var picks = 0, samePicks = 0
        for case_ in golden.greedy {
            let prompt = loaded.tokenizer.encode(case_.prompt, addSpecial: false, parseSpecial: true)
            #expect(prompt.count == case_.prompt_tokens, "prompt token count for \(case_.prompt.debugDescription)")
            let session = try loaded.model.makeSession(contextLength: 128, batchSize: 64, logitRows: 1)
            var logits = try loaded.model.evaluate(prompt, in: session, logits: .last)
            for (index, step) in case_.steps.enumerated() {
                let row = UnsafeBufferPointer(logits.row(0))
                let ours = Sampler.argmax(row)
                picks += 1
                if ours == step.token {
                    samePicks += 1
                } else {
                    let gap = step.top.count > 1 ? step.top[0].logprob - step.top[1].logprob : .infinity
                    #expect(gap < Self.nearTie,
                            "step \(index) of \(case_.prompt.debugDescription): we pick \(ours), llama.cpp \(step.token) (its margin \(gap))")
                }
                for candidate in step.top {
                    let ourLogprob = Float(Perplexity.logProbability(of: candidate.id, in: row))
                    differences.append(abs(ourLogprob - candidate.logprob))
                }
                if index + 1 < case_.steps.count {
                    logits = try loaded.model.evaluate([step.token], in: session, logits: .last)
                }
            }
        }
        let within = Double(differences.filter { $0 <= Self.logprobTarget }.count) / Double(differences.count)
        let worst = differences.max() ?? 0
        let mean = differences.reduce(0, +) / Float(differences.count)
        print("golden: \(samePicks)/\(picks) greedy picks identical; top-5 logprob |diff| mean \(mean), "
              + "worst \(worst), \(Int(within * 100))% within \(Self.logprobTarget)")
        #expect(within >= Self.withinTargetShare, "only \(within) of log-probabilities within \(Self.logprobTarget)")
        #expect(worst <= Self.logprobBound)
        #expect(mean <= Self.meanBound)
        #expect(Double(samePicks) / Double(picks) >= Self.minimumSamePicks)
    }

    /// Free-running greedy generation (no teacher forcing) on the prompts where llama.cpp never
    /// faced a near-tie: the 32 tokens must be identical.
    @Test func greedyGenerationMatchesLlamaCpp() throws {
        let golden = try Self.golden()
        let loaded = try Self.loadModel()
        let generator = TextGenerator(model: loaded.model, tokenizer: loaded.tokenizer)
        for case_ in golden.greedy {
            let margins = case_.steps.map { $0.top.count > 1 ? $0.top[0].logprob - $0.top[1].logprob : .infinity }
            let clear = margins.prefix { $0 >= Self.nearTie }.count
            let prompt = loaded.tokenizer.encode(case_.prompt, addSpecial: false, parseSpecial: true)
            let sequence = try GenerationSession(model: loaded.model, contextLength: 128)
            let result = try generator.generate(prompt: prompt, in: sequence,
                                                options: GenerationOptions(maxTokens: clear, sampling: .greedy))
            #expect(result.tokens == case_.steps.prefix(clear).map(\.token),
                    "greedy tokens before the first near-tie (\(clear)) for \(case_.prompt.debugDescription)")
        }
    }

    @Test func perplexityOnGPL3MatchesLlamaCpp() throws {
        let text = try String(contentsOfFile: "/usr/share/common-licenses/GPL-3", encoding: .utf8)
        let loaded = try Self.loadModel()
        let tokens = loaded.tokenizer.encode(text, addSpecial: false, parseSpecial: false)
        let result = try Perplexity.evaluate(tokens: tokens, model: loaded.model, context: 512, bos: nil)
        print("golden: GPL-3 perplexity \(result.perplexity) (llama.cpp \(Self.referencePerplexity))")
        #expect(result.chunkCount == 14)
        #expect(abs(result.perplexity - Self.referencePerplexity) / Self.referencePerplexity <= Self.perplexityTolerance,
                "PPL \(result.perplexity) vs llama.cpp \(Self.referencePerplexity)")
    }
}
