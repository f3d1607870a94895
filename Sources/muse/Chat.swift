import ArgumentParser
import Foundation
import Generation
import Tokenization

struct Chat: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Chat with the model in the terminal, streaming, with its chat template and the history.")

    @OptionGroup var options: ModelOptions
    @OptionGroup var sampling: SamplingOptions

    @Option(name: .long, help: "System prompt (default: the model template's own, if any).")
    var system: String?

    @Option(name: .customLong("max-tokens"), help: "Most tokens per answer.")
    var maxTokens: Int = 512

    @Option(name: .long, help: "Context size in tokens; the oldest turns are dropped when it fills.")
    var ctx: Int = 4096

    func run() throws {
        let loaded = try options.load()
        guard let template = loaded.tokenizer.chatTemplate else {
            throw CommandFailure("this model has no chat template this engine recognises; use `muse generate`")
        }
        let context = min(ctx, loaded.model.info.contextLength)
        let generator = TextGenerator(model: loaded.model, tokenizer: loaded.tokenizer)
        let sequence: GenerationSession
        do { sequence = try GenerationSession(model: loaded.model, contextLength: context) }
        catch { throw CommandFailure(error) }
        let interactive = isatty(STDIN_FILENO) != 0
        if interactive {
            printError("muse chat: \(loaded.model.info.name ?? "model") (\(loaded.path)). "
                       + "Type a message; /reset clears the history, /exit or Ctrl-D quits.")
        }
        var history: [ChatMessage] = system.map { [ChatMessage(role: "system", content: $0)] } ?? []
        let output = FileHandle.standardOutput
        while true {
            if interactive { output.write(Data("> ".utf8)) }
            guard let line = readLine() else { break }
            let message = line.trimmingCharacters(in: .whitespaces)
            if message.isEmpty { continue }
            if message == "/exit" || message == "/quit" { break }
            if message == "/reset" {
                history.removeAll { $0.role != "system" }
                sequence.reset()
                continue
            }
            history.append(ChatMessage(role: "user", content: message))
            var ids = loaded.tokenizer.encode(template.render(history, addGenerationPrompt: true),
                                              addSpecial: true, parseSpecial: true)
            // Drop the oldest exchanges until the prompt and an answer fit in the context.
            while ids.count + min(maxTokens, context / 2) >= context, let first = history.firstIndex(where: { $0.role != "system" }),
                  history.count - first > 1 {
                history.remove(at: first)
                ids = loaded.tokenizer.encode(template.render(history, addGenerationPrompt: true),
                                              addSpecial: true, parseSpecial: true)
            }
            let budget = min(maxTokens, context - ids.count - 1)
            do {
                let result = try generator.generate(
                    prompt: ids, in: sequence,
                    options: GenerationOptions(maxTokens: max(budget, 0), sampling: sampling.parameters,
                                               stopStrings: template.stopTexts)
                ) { event in
                    output.write(Data(event.text.utf8))
                    return true
                }
                output.write(Data("\n".utf8))
                history.append(ChatMessage(role: "assistant", content: result.text))
            } catch {
                printError("error: \(error)")
                history.removeLast()
            }
        }
    }
}
