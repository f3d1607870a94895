import ArgumentParser
import Foundation
import Generation
import Tokenization

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Continue a prompt; prints only the generated text on stdout, streamed.")

    @OptionGroup var options: ModelOptions
    @OptionGroup var sampling: SamplingOptions

    @Option(name: .long, help: "Prompt, taken as raw text (special tokens such as <|im_start|> are parsed).")
    var prompt: String

    @Option(name: .customLong("max-tokens"), help: "Most tokens to generate.")
    var maxTokens: Int = 128

    @Option(name: .long, help: "Stop before this text (repeatable).")
    var stop: [String] = []

    @Flag(help: "Wrap the prompt as one user message in the model's chat template.")
    var chat = false

    @Option(name: .long, help: "Context size in tokens (default: prompt plus max tokens, within the model's limit).")
    var ctx: Int?

    func run() throws {
        let loaded = try options.load()
        let tokenizer = loaded.tokenizer
        var text = prompt
        if chat {
            guard let template = tokenizer.chatTemplate else {
                throw CommandFailure("this model has no chat template this engine recognises; drop --chat")
            }
            text = template.render([ChatMessage(role: "user", content: prompt)], addGenerationPrompt: true)
        }
        let ids = tokenizer.encode(text, addSpecial: true, parseSpecial: true)
        let context = min(ctx ?? (ids.count + maxTokens + 1), loaded.model.info.contextLength)
        let generator = TextGenerator(model: loaded.model, tokenizer: tokenizer)
        let output = FileHandle.standardOutput
        do {
            let sequence = try GenerationSession(model: loaded.model, contextLength: context)
            let result = try generator.generate(
                prompt: ids, in: sequence,
                options: GenerationOptions(maxTokens: maxTokens, sampling: sampling.parameters, stopStrings: stop)
            ) { event in
                output.write(Data(event.text.utf8))
                return true
            }
            output.write(Data("\n".utf8))
            printError(String(format: "generate: %d prompt tokens in %.3f s, %d tokens in %.3f s (%.1f tokens/s), finish: %@",
                              result.promptTokens, result.promptSeconds, result.tokens.count, result.generationSeconds,
                              Double(result.tokens.count) / max(result.generationSeconds, 1e-9),
                              result.finishReason.rawValue))
        } catch { throw CommandFailure(error) }
    }
}
