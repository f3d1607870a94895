import Foundation
import Generation
import Models
import Testing
import Tokenization

/// Our engine against llama.cpp's answers for the default model (Tests/Fixtures, from ../shared/golden).
@Suite(.serialized) struct GoldenOutputTests {
    /// The bound for top-5 log-probabilities against llama.cpp (measured: worst 0.00026,
    /// mean 0.00009 over 172 steps x 5 candidates; the rest is llama.cpp's own run-to-run order).
    static let logprobTolerance: Float = 0.05

    /// llama.cpp's perplexity on GPL-3 with 512-token chunks, and the accepted relative difference (1%).
    static let referencePerplexity = 18.3797
    static let perplexityTolerance = 0.01

    static func golden() throws -> LlamaCppReference { try .load("smollm2-135m-instruct-q4_1.json") }

    static func loadModel() throws -> LoadedModel { try LlamaCppReference.loadModel(LoadedModel.defaultModelPath) }

    /// Teacher-forced along llama.cpp's tokens: every step is compared even after a difference.
    @Test func logprobsAndGreedyPicksMatchLlamaCpp() throws {
        let golden = try Self.golden()
        let loaded = try Self.loadModel()
        let cases = golden.greedy.map { case_ in
            let prompt = loaded.tokenizer.encode(case_.prompt, addSpecial: false, parseSpecial: true)
            #expect(prompt.count == case_.prompt_tokens, "prompt token count for \(case_.prompt.debugDescription)")
            return (prompt: prompt, steps: case_.steps, label: case_.prompt.debugDescription)
        }
        let (summary, worst) = try LlamaCppReference.compareAll(loaded, cases: cases, context: 128)
        print("golden: \(summary)")
        #expect(worst <= Self.logprobTolerance, "worst log-probability difference \(worst)")
    }

    /// Free-running greedy generation, as `muse generate --temperature 0` runs it: every token
    /// identical to llama.cpp's.
    @Test func greedyGenerationMatchesLlamaCpp() throws {
        let golden = try Self.golden()
        let loaded = try Self.loadModel()
        let generator = TextGenerator(model: loaded.model, tokenizer: loaded.tokenizer)
        for case_ in golden.greedy {
            let prompt = loaded.tokenizer.encode(case_.prompt, addSpecial: false, parseSpecial: true)
            let sequence = try GenerationSession(model: loaded.model, contextLength: 128)
            let result = try generator.generate(prompt: prompt, in: sequence,
                                                options: GenerationOptions(maxTokens: case_.steps.count, sampling: .greedy))
            // Our generator stops at the end-of-turn token and does not return it; llama.cpp lists it.
            let expected = Array(case_.steps.map(\.token).prefix { !loaded.tokenizer.endOfGenerationIDs.contains($0) })
            #expect(result.tokens == expected, "greedy tokens for \(case_.prompt.debugDescription)")
            #expect(result.text == case_.content)
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
