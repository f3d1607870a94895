import Foundation
import Models

/// Perplexity as llama.cpp's `perplexity` tool computes it (`-c ctx -b ctx`): the text's tokens are
/// cut into consecutive chunks of `ctx` tokens (the remainder dropped); each chunk is evaluated from
/// an empty cache and only the predictions of its second half are scored, so every scored token
/// has at least ctx/2 tokens of context.
public struct PerplexityResult: Sendable, Equatable {
    public let perplexity: Double
    public let uncertainty: Double          // standard error of the mean NLL, scaled to PPL
    public let chunkCount: Int
    public let scoredTokens: Int
    public let runningPerplexity: [Double]  // after each chunk
}

public enum Perplexity {
    /// `bos`: when the model wants a BOS token, llama.cpp overwrites each chunk's first token with it.
    public static func evaluate(tokens: [Int], model: any LanguageModel, context: Int, bos: Int?,
                                progress: (Int, Int, Double) -> Void = { _, _, _ in }) throws(GenerationError) -> PerplexityResult {
        guard context >= 4 else { throw .invalidArgument("perplexity context must be at least 4 tokens") }
        let chunkCount = tokens.count / context
        guard chunkCount >= 1 else {
            throw .invalidArgument("the text has \(tokens.count) tokens; at least \(context) are needed for one chunk")
        }
        let session: InferenceSession
        do {
            session = try model.makeSession(contextLength: context, batchSize: context, logitRows: context)
        } catch { throw .model(error) }
        let first = context / 2
        var nllSum = 0.0      // sum of -log p(token)
        var nllSquares = 0.0  // for the standard error
        var count = 0
        var running: [Double] = []
        for chunk in 0..<chunkCount {
            var ids = Array(tokens[(chunk * context)..<((chunk + 1) * context)])
            if let bos { ids[0] = bos }
            session.rewind(to: 0)
            let logits: Logits
            do { logits = try model.evaluate(ids, in: session, logits: .all) } catch { throw .model(error) }
            for i in first..<(context - 1) {
                let nll = -logProbability(of: ids[i + 1], in: UnsafeBufferPointer(logits.row(i)))
                nllSum += nll
                nllSquares += nll * nll
                count += 1
            }
            running.append(exp(nllSum / Double(count)))
            progress(chunk + 1, chunkCount, running[chunk])
        }
        let mean = nllSum / Double(count)
        let variance = max(nllSquares / Double(count) - mean * mean, 0)
        let ppl = exp(mean)
        let uncertainty = count > 1 ? ppl * (variance / Double(count - 1)).squareRoot() : 0
        return PerplexityResult(perplexity: ppl, uncertainty: uncertainty, chunkCount: chunkCount,
                                scoredTokens: count, runningPerplexity: running)
    }

    /// log softmax(logits)[token], with the max subtracted and the sum taken in Double.
    public static func logProbability(of token: Int, in logits: UnsafeBufferPointer<Float>) -> Double {
        var maxLogit = -Float.infinity
        for value in logits where value > maxLogit { maxLogit = value }
        var sum = 0.0
        for value in logits { sum += exp(Double(value - maxLogit)) }
        return Double(logits[token] - maxLogit) - log(sum)
    }
}
