import Foundation
import Generation
import Kernels
import ModelFiles
import Models
import Testing
import TestSupport

/// Embedding rows spliced into a prompt in place of tokens (how an image enters the language
/// model), on the default model: the model's own token-embedding rows, spliced, must give the
/// logits of the tokens themselves, and the prefix cache must treat the rows like tokens.
@Suite(.serialized) struct SplicedEmbeddingTests {
    /// A spliced row is copied into the batch where a token's row would be dequantised, from the
    /// same dequantisation: every later operation sees the same floats, so the logits are the
    /// same bits.
    static let logitTolerance: Float = 0

    static let text = "<|im_start|>user\nWhat colour is the apple in this picture of a small orchard?<|im_end|>\n<|im_start|>assistant\n"
    /// Which tokens of the prompt the "image" replaces.
    static let imageRange = 3..<11

    /// [ids.count, width]: rows of the model's token embedding, dequantised as the model does.
    static func tokenRows(_ loaded: LoadedModel, _ ids: some Collection<Int>) throws -> [Float] {
        let info = try #require(loaded.file.tensor(named: "token_embd.weight"))
        let width = loaded.model.info.embeddingLength
        let base = try #require(loaded.file.data(for: info).baseAddress)
        let matrix = try WeightMatrix(type: info.type, rows: loaded.model.info.vocabularySize, cols: width, data: base)
        var rows = [Float](repeating: 0, count: ids.count * width)
        rows.withUnsafeMutableBufferPointer { buffer in
            guard let start = buffer.baseAddress else { return }
            for (r, id) in ids.enumerated() { dequantizeRow(matrix, row: id, into: start + r * width) }
        }
        return rows
    }

    /// The prompt's tokens, and the same prompt with `imageRange` replaced by a chunk made of those
    /// tokens' embedding rows (or of `rowsOf` tokens' rows), named `identity`.
    /// The rows are multiplied by `scale` (Gemma scales token embeddings, not spliced rows).
    static func prompts(_ loaded: LoadedModel, text: String = text, identity: UInt64, rowsOf other: [Int]? = nil,
                        scale: Float = 1) throws -> (plain: [Int], spliced: [Int], splicing: PromptEmbeddings) {
        let plain = loaded.tokenizer.encode(text, addSpecial: true, parseSpecial: true)
        let source = other ?? Array(plain[imageRange])
        let chunk = try EmbeddingChunk(identity: identity, values: try tokenRows(loaded, source).map { $0 * scale },
                                       rows: source.count, dimension: loaded.model.info.embeddingLength)
        let spliced = Array(plain[..<imageRange.lowerBound]) + chunk.placeholderIDs + Array(plain[imageRange.upperBound...])
        return (plain, spliced, PromptEmbeddings([chunk]))
    }

    /// The error `body` throws, nil when it succeeds.
    static func failure(_ body: () throws(ModelError) -> Void) -> ModelError? {
        do { try body() } catch { return error }
        return nil
    }

    static func largestDifference(_ a: some Collection<Float>, _ b: some Collection<Float>) -> Float {
        zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
    }

    @Test func splicedTokenRowsGiveTheTokensLogits() throws {
        let loaded = try LlamaCppReference.loadModel(TestModel.defaultPath)
        let model = loaded.model
        let (plain, spliced, splicing) = try Self.prompts(loaded, identity: 0xA11CE)
        #expect(spliced.count == plain.count && spliced.contains { $0 < 0 })
        // Every position's logits, the prompt in one batch.
        let a = try model.makeSession(contextLength: 128, batchSize: 64, logitRows: 64)
        let plainLogits = try model.evaluate(plain, in: a, logits: .all)
        let plainRows = (0..<plain.count).map { Array(plainLogits.row($0)) }
        let b = try model.makeSession(contextLength: 128, batchSize: 64, logitRows: 64)
        let splicedLogits = try model.evaluate(spliced, splicing: splicing, in: b, logits: .all)
        for t in plain.indices {
            let worst = Self.largestDifference(plainRows[t], splicedLogits.row(t))
            #expect(worst <= Self.logitTolerance, "position \(t): largest difference \(worst)")
        }
        // The continuous-batching step (the server's path) splices the same way.
        let workspace = try model.makeWorkspace(maxSequences: 2, maxTokens: 128)
        let c = try model.makeSession(contextLength: 128, batchSize: 64, logitRows: 1)
        let d = try model.makeSession(contextLength: 128, batchSize: 64, logitRows: 1)
        let step = try model.decode([plain, spliced], splicing: splicing, sessions: [c, d], workspace: workspace)
        #expect(Self.largestDifference(step.row(0), step.row(1)) <= Self.logitTolerance)
        #expect(Self.largestDifference(step.row(1), plainRows[plain.count - 1]) <= Self.logitTolerance)
    }

    /// Gemma 3 multiplies token embeddings by sqrt(width) but, as llama.cpp, leaves spliced rows
    /// as they come: token rows pre-scaled the same way give the tokens' logits.
    @Test func gemmaScalesTokenRowsButNotSplicedOnes() throws {
        let loaded = try LlamaCppReference.loadModel(TestModel.gemma3Path)
        let model = loaded.model
        let text = "<start_of_turn>user\nWhat colour is the apple in this picture of a small orchard?<end_of_turn>\n<start_of_turn>model\n"
        let (plain, spliced, splicing) = try Self.prompts(loaded, text: text, identity: 0x6E33,
                                                         scale: Float(model.info.embeddingLength).squareRoot())
        let a = try model.makeSession(contextLength: 128, batchSize: 64, logitRows: 1)
        let expected = Array(try model.evaluate(plain, in: a, logits: .last).row(0))
        let b = try model.makeSession(contextLength: 128, batchSize: 64, logitRows: 1)
        let worst = Self.largestDifference(expected, try model.evaluate(spliced, splicing: splicing, in: b, logits: .last).row(0))
        #expect(worst <= Self.logitTolerance, "largest difference \(worst)")
    }

    @Test func theSameImageReusesTheCacheAndAnotherDoesNot() throws {
        let loaded = try LlamaCppReference.loadModel(TestModel.defaultPath)
        let generator = TextGenerator(model: loaded.model, tokenizer: loaded.tokenizer)
        let sequence = try GenerationSession(model: loaded.model, contextLength: 128)
        let options = GenerationOptions(maxTokens: 1)
        let (_, spliced, splicing) = try Self.prompts(loaded, identity: 0xA11CE)
        // The question after the image changes: the image is a shared prefix, not the whole prompt.
        let followUp = spliced.dropLast(6) + loaded.tokenizer.encode("Is it ripe?<|im_end|>\n<|im_start|>assistant\n")

        func logits(_ prompt: [Int], _ splicing: PromptEmbeddings, in session: GenerationSession) throws -> ([Float], cached: Int) {
            let (state, row) = try generator.begin(prompt: prompt, splicing: splicing, in: session, options: options)
            defer { row.release() }
            return (Array(row.row), state.result().cachedPromptTokens)
        }
        _ = try logits(spliced, splicing, in: sequence)
        let reused = try logits(Array(followUp), splicing, in: sequence)
        #expect(reused.cached == spliced.count - 6, "the prompt up to the changed question, image included, comes from the cache")
        let fresh = try logits(Array(followUp), splicing, in: try GenerationSession(model: loaded.model, contextLength: 128))
        #expect(fresh.cached == 0)
        #expect(Self.largestDifference(reused.0, fresh.0) <= Self.logitTolerance)

        // Another image at the same place: only the text before it is shared.
        let other = try Self.prompts(loaded, identity: 0xB0B, rowsOf: [19, 23, 29, 31, 37, 41, 43, 47])
        let different = try logits(other.spliced, other.splicing, in: sequence)
        #expect(different.cached == Self.imageRange.lowerBound)
        // Its rows were evaluated, not taken from the first image's cache.
        let alone = try logits(other.spliced, other.splicing, in: try GenerationSession(model: loaded.model, contextLength: 128))
        #expect(Self.largestDifference(different.0, alone.0) <= Self.logitTolerance)
        #expect(Self.largestDifference(different.0, reused.0) > 0)
    }

    @Test func aPlaceholderNeedsItsRowsInTheModelsWidth() throws {
        let loaded = try LlamaCppReference.loadModel(TestModel.defaultPath)
        let model = loaded.model
        let width = model.info.embeddingLength
        let session = try model.makeSession(contextLength: 16, batchSize: 16, logitRows: 1)
        let chunk = try EmbeddingChunk(identity: 7, values: [Float](repeating: 0.5, count: 2 * width), rows: 2, dimension: width)
        let missing = chunk.placeholderIDs[0]
        let unknown = Self.failure { () throws(ModelError) in _ = try model.evaluate([1, missing], in: session, logits: .last) }
        #expect(unknown?.description == ModelError.unknownEmbeddingRow(missing).description)
        let narrow = try EmbeddingChunk(identity: 8, values: [Float](repeating: 0.5, count: 4), rows: 1, dimension: 4)
        let wrongWidth = Self.failure { () throws(ModelError) in
            _ = try model.evaluate([1] + narrow.placeholderIDs, splicing: PromptEmbeddings([narrow]), in: session, logits: .last)
        }
        #expect(wrongWidth?.description == ModelError.embeddingWidth(expected: width, found: 4).description)
        // A row index past the chunk's rows names nothing either.
        let pastEnd = chunk.placeholderIDs[1] - 1
        #expect(throws: ModelError.self) {
            _ = try model.evaluate([1, pastEnd], splicing: PromptEmbeddings([chunk]), in: session, logits: .last)
        }
        #expect(session.position == 0, "a refused prompt evaluates nothing")
        #expect(throws: ModelError.self) {
            _ = try EmbeddingChunk(identity: 9, values: [1, 2, 3], rows: 2, dimension: 2)
        }
    }
}
