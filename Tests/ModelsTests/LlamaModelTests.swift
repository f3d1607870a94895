import Kernels
import ModelFiles
import Models
import Testing

@Suite struct LlamaModelTests {
    /// The engine keeps K, V, queries and attention probabilities in f16 (as llama.cpp does), so
    /// it differs from the all-double reference by f16 rounding, not more.
    static let logitTolerance = 2e-2
    static let tokens = [3, 17, 42, 5, 79, 0, 23, 23, 61, 8, 11, 40]

    @Test func forwardMatchesDoublePrecisionReference() throws {
        let tiny = TinyLlama(seed: 7)
        let model = try ModelRegistry.load(try tiny.gguf(), pool: ThreadPool(threadCount: 2))
        #expect(model.info.architecture == "llama")
        #expect(model.info.layerCount == TinyLlama.layers)
        let reference = tiny.referenceLogits(Self.tokens)
        let session = try model.makeSession(contextLength: 64, batchSize: 16, logitRows: 16)
        let logits = try model.evaluate(Self.tokens, in: session, logits: .all)
        #expect(logits.rows == Self.tokens.count)
        var worst = 0.0
        for t in Self.tokens.indices {
            let row = logits.row(t)
            for v in 0..<TinyLlama.vocab { worst = max(worst, abs(Double(row[v]) - reference[t][v])) }
        }
        #expect(worst < Self.logitTolerance, "largest logit difference \(worst)")
        #expect(session.position == Self.tokens.count)
    }

    /// Attention sums in llama.cpp's order, which differs between a batch and a single token
    /// (tiled multiply vs vector dot product), so only batch-to-batch results are bit-identical.
    static let singleTokenTolerance: Float = 1e-3

    @Test func prefillChunkingDoesNotChangeResults() throws {
        let tiny = TinyLlama(seed: 11)
        let model = try ModelRegistry.load(try tiny.gguf(), pool: ThreadPool(threadCount: 2))
        let whole = try model.makeSession(contextLength: 64, batchSize: 16, logitRows: 1)
        let chunked = try model.makeSession(contextLength: 64, batchSize: 5, logitRows: 1)  // 5 + 5 + 2 tokens
        let single = try model.makeSession(contextLength: 64, batchSize: 1, logitRows: 1)
        let a = Array(try model.evaluate(Self.tokens, in: whole, logits: .last).row(0))
        let b = Array(try model.evaluate(Self.tokens, in: chunked, logits: .last).row(0))
        var c: [Float] = []
        for token in Self.tokens { c = Array(try model.evaluate([token], in: single, logits: .last).row(0)) }
        #expect(a == b, "prefill in batches of 5 must give the same bits as one batch")
        let worst = zip(a, c).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? 0
        #expect(worst < Self.singleTokenTolerance, "one token at a time differs by \(worst)")
    }

    @Test func rewindReusesThePrefix() throws {
        let tiny = TinyLlama(seed: 3)
        let model = try ModelRegistry.load(try tiny.gguf(), pool: ThreadPool(threadCount: 1))
        let session = try model.makeSession(contextLength: 64, batchSize: 8, logitRows: 1)
        let full = Array(try model.evaluate(Self.tokens, in: session, logits: .last).row(0))
        session.rewind(to: 4)
        #expect(session.position == 4)
        let resumed = Array(try model.evaluate(Array(Self.tokens[4...]), in: session, logits: .last).row(0))
        #expect(full == resumed)
    }

    @Test func strictLoadingNamesTheProblem() throws {
        let tiny = TinyLlama(seed: 1)
        let pool = ThreadPool(threadCount: 1)
        #expect(throws: ModelError.self) { try ModelRegistry.load(try tiny.gguf(drop: "blk.1.ffn_up.weight"), pool: pool) }
        do {
            _ = try ModelRegistry.load(try tiny.gguf(drop: "blk.1.ffn_up.weight"), pool: pool)
        } catch let error as ModelError {
            #expect("\(error)".contains("blk.1.ffn_up.weight"))
        }
        do {
            _ = try ModelRegistry.load(try tiny.gguf(extra: "blk.0.mystery.weight"), pool: pool)
            Issue.record("an unused tensor must fail loading")
        } catch let error as ModelError {
            #expect("\(error)".contains("blk.0.mystery.weight"))
        }
        do {
            _ = try ModelRegistry.load(try tiny.gguf(reshape: "blk.0.attn_k.weight"), pool: pool)
            Issue.record("a mis-shaped tensor must fail loading")
        } catch let error as ModelError {
            #expect("\(error)".contains("blk.0.attn_k.weight"))
        }
        do {
            _ = try ModelRegistry.load(try tiny.gguf(metadata: ["general.architecture": .string("mamba9")]), pool: pool)
            Issue.record("an unknown architecture must fail loading")
        } catch let error as ModelError {
            #expect("\(error)".contains("mamba9"))
        }
        do {
            _ = try ModelRegistry.load(try tiny.gguf(metadata: ["llama.attention.head_count_kv": .uint32(3)]), pool: pool)
            Issue.record("head_count_kv that does not divide head_count must fail loading")
        } catch let error as ModelError {
            #expect("\(error)".contains("head_count_kv"))
        }
    }

    @Test func evaluationRejectsBadInput() throws {
        let tiny = TinyLlama(seed: 2)
        let model = try ModelRegistry.load(try tiny.gguf(), pool: ThreadPool(threadCount: 1))
        let session = try model.makeSession(contextLength: 8, batchSize: 4, logitRows: 4)
        #expect(throws: ModelError.self) { try model.evaluate([TinyLlama.vocab], in: session, logits: .last) }
        #expect(throws: ModelError.self) { try model.evaluate([-1], in: session, logits: .last) }
        #expect(throws: ModelError.self) { try model.evaluate([], in: session, logits: .last) }
        #expect(throws: ModelError.self) { try model.evaluate(Array(repeating: 1, count: 9), in: session, logits: .last) }
        #expect(throws: ModelError.self) { try model.evaluate(Array(repeating: 1, count: 5), in: session, logits: .all) }
        #expect(session.position == 0, "a rejected evaluation leaves the cache untouched")
    }
}
