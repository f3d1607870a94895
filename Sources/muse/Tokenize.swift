import ArgumentParser
import Foundation
import Generation

struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the token ids of TEXT as a JSON array (special tokens such as <|im_start|> parsed).")

    @Argument(help: "Text to tokenize.")
    var text: String

    @Option(name: .long, help: "GGUF model file (default: the installed default model).")
    var model: String?

    @Flag(help: "Add the model's BOS/EOS tokens where its metadata asks for them.")
    var addSpecial = false

    func run() throws {
        let loaded: LoadedModel
        do { loaded = try LoadedModel(path: model ?? LoadedModel.defaultModelPath, threads: 1) }
        catch { throw CommandFailure(error) }
        let ids = loaded.tokenizer.encode(text, addSpecial: addSpecial, parseSpecial: true)
        print("[" + ids.map(String.init).joined(separator: ",") + "]")
    }
}
