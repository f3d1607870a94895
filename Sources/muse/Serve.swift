import ArgumentParser
import Foundation
import Generation
import Hummingbird
import Logging
import Server

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the OpenAI-compatible HTTP API (chat and text completions, models, tokenize).",
        discussion: """
            Environment variables stand in for flags not given: MUSE_HOST, MUSE_PORT, MUSE_MODEL \
            (the model file), MUSE_MODEL_ID, MUSE_CTX, MUSE_SLOTS, MUSE_MAX_QUEUE. SIGINT or SIGTERM stop the \
            server gracefully: it stops accepting connections and lets running requests finish.
            """)

    @OptionGroup var options: ModelOptions

    @Option(help: "Address to listen on (env MUSE_HOST; default 127.0.0.1, loopback only).")
    var host: String?

    @Option(help: "Port to listen on, 0 for any free one (env MUSE_PORT; default 8080). The port is printed on stderr once listening.")
    var port: Int?

    @Option(name: .customLong("model-id"), help: "Name clients pass as `model` (env MUSE_MODEL_ID; default: the file name without .gguf).")
    var modelID: String?

    @Option(help: "Context per request in tokens, prompt plus answer (env MUSE_CTX; default 2048 or the model's, if smaller). Each slot holds a KV cache this long.")
    var ctx: Int?

    @Option(name: .customLong("max-queue"), help: "Requests waiting or running before new ones get 503 (env MUSE_MAX_QUEUE; default 64).")
    var maxQueue: Int?

    @Option(help: "Sequences decoded together, each with its own KV cache (env MUSE_SLOTS; default 8).")
    var slots: Int?

    @Option(help: "Folder of the embedding model for /v1/embeddings (env MUSE_EMBEDDER; default: the installed all-MiniLM-L6-v2).")
    var embedder: String?

    @Option(name: .customLong("max-body"), help: "Largest request body in bytes; larger ones get 413 (default 4194304).")
    var maxBody: Int = 4 << 20

    static let defaultPort = 8080
    static let defaultContext = 2048
    static let defaultMaxQueue = 64
    static let defaultSlots = 8

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        func fromEnvironment(_ key: String) -> Int? { environment[key].flatMap { Int($0) } }
        let host = host ?? environment["MUSE_HOST"] ?? "127.0.0.1"
        let port = port ?? fromEnvironment("MUSE_PORT") ?? Self.defaultPort
        let maxQueue = maxQueue ?? fromEnvironment("MUSE_MAX_QUEUE") ?? Self.defaultMaxQueue
        let slots = slots ?? fromEnvironment("MUSE_SLOTS") ?? Self.defaultSlots
        guard (1...64).contains(slots) else { throw CommandFailure("--slots must be between 1 and 64") }
        guard (0...65535).contains(port) else { throw CommandFailure("--port must be between 0 (any free port) and 65535") }
        guard maxQueue >= 1, maxBody >= 1024 else { throw CommandFailure("--max-queue must be at least 1 and --max-body at least 1024") }

        let loaded = try options.load()
        let context = min(ctx ?? fromEnvironment("MUSE_CTX") ?? Self.defaultContext, loaded.model.info.contextLength)
        guard context >= 16 else { throw CommandFailure("--ctx must be at least 16") }
        let fileName = URL(fileURLWithPath: loaded.path).lastPathComponent
        let defaultID = fileName.hasSuffix(".gguf") ? String(fileName.dropLast(5)) : fileName
        let modelID = modelID ?? environment["MUSE_MODEL_ID"] ?? defaultID
        let sha = try Bench.sha256(of: loaded.path)
        let settings = ServerSettings(
            host: host, port: port, modelID: modelID, contextLength: context, maxQueue: maxQueue, bodyLimit: maxBody,
            fingerprint: ServerSettings.fingerprint(engineVersion: MuseVersion.engine, modelSHA256: sha))
        let scheduler: InferenceScheduler
        do { scheduler = try InferenceScheduler(loaded: loaded, contextLength: context, maxQueue: maxQueue, slots: slots) }
        catch { throw CommandFailure(error) }
        var embeddings: EmbeddingService?
        let embedderFolder = embedder ?? TextEmbedder.defaultFolder
        do { embeddings = try EmbeddingService(folder: embedderFolder) } catch {
            printError("serve: no /v1/embeddings: \(error)")
        }
        let api = MuseAPI(scheduler: scheduler, settings: settings, embeddings: embeddings)
        var logger = Logger(label: "muse.serve")
        logger.logLevel = .info
        let app = api.makeApplication(host: host, port: port, logger: logger) { port in
            printError("serve: \(modelID) (sha256 \(sha.prefix(12))) on http://\(host):\(port)/v1, context \(context), \(slots) slots, queue \(maxQueue)")
        }
        try await app.runService()
        scheduler.shutdown()
    }
}
