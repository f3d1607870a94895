import ArgumentParser
import Foundation
import Generation

struct PerplexityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perplexity",
        abstract: "Perplexity of a text file, by llama.cpp's method (chunks of --ctx tokens, second halves scored).")

    @OptionGroup var options: ModelOptions

    @Option(name: .long, help: "Text file to score.")
    var file: String

    @Option(name: .long, help: "Chunk size in tokens.")
    var ctx: Int = 512

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CommandFailure("cannot read text file \(file)")
        }
        let text = String(decoding: data, as: UTF8.self)
        let loaded = try options.load()
        let tokens = loaded.tokenizer.encode(text, addSpecial: false, parseSpecial: false)
        printError("perplexity: \(tokens.count) tokens, \(tokens.count / max(ctx, 1)) chunks of \(ctx)")
        let start = Date()
        let bos = loaded.tokenizer.addBOS ? loaded.tokenizer.bosID : nil
        let result: PerplexityResult
        do {
            result = try Perplexity.evaluate(tokens: tokens, model: loaded.model, context: ctx, bos: bos) { done, total, ppl in
                printError(String(format: "[%d/%d] %.4f", done, total, ppl))
            }
        } catch { throw CommandFailure(error) }
        let seconds = Date().timeIntervalSince(start)
        printError(String(format: "%d tokens scored in %.1f s (%.0f tokens/s evaluated)",
                          result.scoredTokens, seconds, Double(result.chunkCount * ctx) / seconds))
        print(result.runningPerplexity.enumerated().map { String(format: "[%d]%.4f", $0.offset + 1, $0.element) }
            .joined(separator: ","))
        print(String(format: "PPL = %.4f +/- %.4f", result.perplexity, result.uncertainty))
    }
}
