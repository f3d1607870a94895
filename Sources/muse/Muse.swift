import ArgumentParser
import Foundation
import Generation

@main
struct Muse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "muse",
        abstract: "Muse Spark: a small, fast, self-hosted assistant and its inference engine.",
        version: MuseVersion.engine,
        subcommands: [Serve.self, Keys.self, UsageCommand.self, Eval.self, NutritionCommand.self, ShoppingCommand.self, Tag.self, CatalogCommand.self, Chat.self, Generate.self, Bench.self,
                      Inspect.self, Tokenize.self, PerplexityCommand.self, Speak.self])
}

enum MuseVersion {
    static let engine = "0.1.0"
}

/// Options every model-running command shares.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "GGUF model file (default: the installed SmolLM2-135M-Instruct Q4_1).")
    var model: String?

    @Option(name: .customLong("threads"), help: "Worker threads (default: all cores).")
    var threadsFlag: Int?

    var threads: Int { threadsFlag ?? ProcessInfo.processInfo.activeProcessorCount }

    var modelPath: String { model ?? LoadedModel.defaultModelPath }

    /// Opens the model; a failure becomes the command's error message.
    func load() throws -> LoadedModel {
        do { return try LoadedModel(path: modelPath, threads: threads) } catch { throw CommandFailure(error) }
    }
}

/// Prints to standard error: progress and errors never mix with results on standard output.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Ends the command with a message on stderr and a non-zero exit code.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
    init(_ error: any Error) { description = "\(error)" }
}
