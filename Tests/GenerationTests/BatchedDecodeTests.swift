import Foundation
import Generation
import Models
import Testing
import TestSupport

/// Several sequences decoded in one step (continuous batching) against each decoded alone: on
/// the default model (Q4_1, Q8_0) every kernel sums a token of a batch exactly as a lone token,
/// and attention runs per sequence, so the logits must be identical.
@Suite(.serialized) struct BatchedDecodeTests {
    @Test func decodeStepEqualsLoneSequences() throws {
        let loaded = try LlamaCppReference.loadModel(TestModel.defaultPath)
        let model = loaded.model
        let prompts = ["The capital of France is", "def add(a, b):", "Once upon a time", "1, 2, 3, 4,"]
            .map { loaded.tokenizer.encode($0, addSpecial: true, parseSpecial: false) }
        // Lone: each sequence evaluates its prompt, then three greedy tokens one by one.
        var lone: [[[Float]]] = []   // [sequence][step][vocab]
        var chosen: [[Int]] = []
        for prompt in prompts {
            let session = try model.makeSession(contextLength: 64, batchSize: 64, logitRows: 1)
            var row = Array(try model.evaluate(prompt, in: session, logits: .last).row(0))
            var rows: [[Float]] = [], tokens: [Int] = []
            for _ in 0..<3 {
                let next = row.withUnsafeBufferPointer { Sampler.argmax($0) }
                tokens.append(next)
                row = Array(try model.evaluate([next], in: session, logits: .last).row(0))
                rows.append(row)
            }
            lone.append(rows)
            chosen.append(tokens)
        }
        // Batched: the same prompts, then the same tokens for all sequences in each step.
        let sessions = try prompts.map { prompt throws -> InferenceSession in
            let session = try model.makeSession(contextLength: 64, batchSize: 64, logitRows: 1)
            _ = try model.evaluate(prompt, in: session, logits: .last)
            return session
        }
        let workspace = try model.makeWorkspace(maxSequences: 8, maxTokens: 64)
        for step in 0..<3 {
            let logits = try model.decode(chosen.map { [$0[step]] }, sessions: sessions, workspace: workspace)
            #expect(logits.rows == prompts.count)
            for sequence in prompts.indices {
                #expect(Array(logits.row(sequence)) == lone[sequence][step], "sequence \(sequence) step \(step)")
            }
        }
        for (session, prompt) in zip(sessions, prompts) { #expect(session.position == prompt.count + 3) }
    }

    @Test func decodeStepRejectsBadInput() throws {
        let loaded = try LlamaCppReference.loadModel(TestModel.defaultPath)
        let model = loaded.model
        let session = try model.makeSession(contextLength: 4, batchSize: 4, logitRows: 1)
        let workspace = try model.makeWorkspace(maxSequences: 2, maxTokens: 4)
        #expect(throws: ModelError.self) { _ = try model.decode([[1], [2]], sessions: [session, session], workspace: workspace) }
        #expect(throws: ModelError.self) { _ = try model.decode([[1], [2], [3]], sessions: [session, session, session], workspace: workspace) }
        #expect(throws: ModelError.self) { _ = try model.decode([[-5]], sessions: [session], workspace: workspace) }
        #expect(throws: ModelError.self) { _ = try model.decode([[1]], sessions: [session], workspace: session) }
        _ = try model.evaluate([1, 2, 3, 4], in: session, logits: .last)
        #expect(throws: ModelError.self) { _ = try model.decode([[1]], sessions: [session], workspace: workspace) }
    }
}
