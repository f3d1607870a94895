import Foundation
import Generation
import Models
import Testing
import TestSupport
import Tokenization

/// Gemma 3 270M (Q4_K_M, SentencePiece) against llama.cpp's greedy output, recorded by
/// `bench/compare-llamacpp.py --reference` into Tests/Fixtures/gemma-3-270m-q4_k_m.json. One prompt
/// is longer than the 512-token sliding window of the local layers.
@Suite(.serialized) struct Gemma3GoldenTests {
    /// Same bound as the default model's top-5 log-probabilities against llama.cpp.
    static let logprobTolerance: Float = 0.05

    static func golden() throws -> LlamaCppReference { try .load("gemma-3-270m-q4_k_m.json") }

    static func loadModel() throws -> LoadedModel { try LlamaCppReference.loadModel(TestModel.gemma3Path) }

    @Test func tokenizationMatchesLlamaCpp() throws {
        let golden = try Self.golden()
        let loaded = try Self.loadModel()
        #expect(loaded.model.info.architecture == "gemma3")
        for case_ in golden.tokenize {
            let ids = loaded.tokenizer.encode(case_.text, addSpecial: false, parseSpecial: true)
            #expect(ids == case_.ids, "\(case_.text.debugDescription)")
            #expect(loaded.tokenizer.decode(ids, decodeSpecial: true) == case_.text)
        }
        for case_ in golden.greedy {
            #expect(loaded.tokenizer.encode(case_.prompt, addSpecial: true, parseSpecial: true) == (case_.prompt_ids ?? []))
        }
    }

    /// Teacher-forced along llama.cpp's tokens: every step is compared even after a difference.
    @Test func logprobsAndGreedyPicksMatchLlamaCpp() throws {
        let golden = try Self.golden()
        let loaded = try Self.loadModel()
        let cases = golden.greedy.map {
            (prompt: $0.prompt_ids ?? [], steps: $0.steps, label: $0.prompt.prefix(40).debugDescription)
        }
        let (summary, worst) = try LlamaCppReference.compareAll(loaded, cases: cases, context: 1024)
        print("golden gemma3: \(summary)")
        #expect(worst <= Self.logprobTolerance, "worst log-probability difference \(worst)")
    }

    /// Free-running greedy generation, as `muse generate --temperature 0` runs it.
    @Test func greedyGenerationMatchesLlamaCpp() throws {
        let golden = try Self.golden()
        let loaded = try Self.loadModel()
        let generator = TextGenerator(model: loaded.model, tokenizer: loaded.tokenizer)
        for case_ in golden.greedy {
            let sequence = try GenerationSession(model: loaded.model, contextLength: 1024)
            let result = try generator.generate(prompt: case_.prompt_ids ?? [], in: sequence,
                                                options: GenerationOptions(maxTokens: case_.steps.count, sampling: .greedy))
            let expected = Array(case_.steps.map(\.token).prefix { !loaded.tokenizer.endOfGenerationIDs.contains($0) })
            #expect(result.tokens == expected, "greedy tokens for \(case_.prompt.prefix(40).debugDescription)")
            #expect(result.text == case_.content)
        }
    }
}
