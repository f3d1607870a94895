import Accounts
import ArgumentParser
import Foundation
import Generation
import Hummingbird
import Identity
import Kernels
import Logging
import Messaging
import Server
import Shelf
import Shopping
import Storage
import Vision

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the OpenAI-compatible HTTP API (chat and text completions, embeddings, models, tokenize).",
        discussion: """
            Each setting comes from its flag, else its environment variable (MUSE_HOST, MUSE_PORT, MUSE_MODEL \
            (the model file), MUSE_MODEL_ID, MUSE_THREADS, MUSE_CTX, MUSE_SLOTS, MUSE_MAX_QUEUE, MUSE_MAX_BODY, \
            MUSE_EMBEDDER, MUSE_MMPROJ, MUSE_DATA_DIR, MUSE_DATABASE_URL, MUSE_AUTH, MUSE_REASONING_BUDGET, \
            MUSE_CONTEMPLATION_SAMPLES, MUSE_META_APP_SECRET, MUSE_META_VERIFY_TOKEN, MUSE_META_ACCESS_TOKEN, \
            MUSE_GRAPH_BASE_URL, MUSE_REPLICA_ID, MUSE_PUBLIC_URL, MUSE_OIDC_ISSUER, MUSE_OIDC_CLIENT_ID, MUSE_OIDC_CLIENT_SECRET, \
            MUSE_OIDC_NAME), else the config file (muse.toml: the \
            flag names as keys, e.g. `port = 8080`, `database-url = "postgres://..."`), else the default.

            Partner keys (`muse keys create`) are checked on every /v1 route; each request's tokens, latency and \
            status are recorded in the store (`muse usage`). The web assistant is at / (local accounts; \
            sign-in with an OpenID Connect provider when --oidc-issuer and --oidc-client-id are given). With the three Meta secrets set, /webhooks/whatsapp, \
            /webhooks/messenger and /webhooks/instagram answer Meta's webhooks and reply through the Graph API. SIGINT or SIGTERM stop the server gracefully: it stops \
            accepting connections and lets running requests finish.
            """)

    @OptionGroup var options: ModelOptions
    @OptionGroup var store: StoreOptions

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

    @Option(help: "Folder of the image tagger for image_url parts (env MUSE_TAGGER; default: the installed EfficientNet-Lite0; without it images get OCR only).")
    var tagger: String?

    @Option(help: "A vision encoder + projector (llama.cpp mmproj GGUF, e.g. SmolVLM's) whose embeddings match the model's width: image_url parts are then encoded and spliced into the prompt instead of read by OCR (env MUSE_MMPROJ; default: none).")
    var mmproj: String?

    @Option(help: "Folder of evaluation reports shown at /results (env MUSE_RESULTS; default evals/reports when it exists here; none: no page).")
    var results: String?

    @Option(name: .customLong("max-body"), help: "Largest request body in bytes; larger ones get 413 (env MUSE_MAX_BODY; default 4194304).")
    var maxBody: Int?

    @Option(help: """
        API keys: auto (default: required once any key exists; before that, open only while listening on loopback), \
        required, or off (env MUSE_AUTH).
        """)
    var auth: String?

    @Option(name: .customLong("reasoning-budget"), help: "Thinking mode: reasoning tokens before the answer is asked for (env MUSE_REASONING_BUDGET; default 256).")
    var reasoningBudget: Int?

    @Option(name: .customLong("contemplation-samples"), help: "Contemplating mode: reasoned answers sampled and voted on (env MUSE_CONTEMPLATION_SAMPLES; default 4).")
    var contemplationSamples: Int?

    @Option(name: .customLong("meta-app-secret"), help: "Meta app secret that signs webhook bodies (env MUSE_META_APP_SECRET; prefer the env or config file: flags show in `ps`).")
    var metaAppSecret: String?

    @Option(name: .customLong("meta-verify-token"), help: "Verify token typed in Meta's App Dashboard for the webhook handshake (env MUSE_META_VERIFY_TOKEN).")
    var metaVerifyToken: String?

    @Option(name: .customLong("meta-access-token"), help: "Graph API access token the replies are sent with (env MUSE_META_ACCESS_TOKEN).")
    var metaAccessToken: String?

    @Option(name: .customLong("graph-base-url"), help: "Graph API root with its version (env MUSE_GRAPH_BASE_URL; default \(Serve.defaultGraphBaseURL)).")
    var graphBaseURL: String?

    @Option(name: .customLong("replica-id"), help: """
        This server's name on the chat messages and replies it is working on, unique among replicas sharing a store; \
        one restarted under the same name takes its unfinished ones back at once (env MUSE_REPLICA_ID; default HOST:PORT, \
        or with --port 0 HOST:FILE for SQLite and HOST:pidPID for PostgreSQL).
        """)
    var replicaID: String?

    @Option(name: .customLong("public-url"), help: "The site's address as browsers see it, for the OpenID redirect and Secure cookies (env MUSE_PUBLIC_URL; default http://HOST:PORT).")
    var publicURL: String?

    @Option(name: .customLong("oidc-issuer"), help: "OpenID Connect provider's issuer URL for web sign-in (env MUSE_OIDC_ISSUER; default: local accounts only).")
    var oidcIssuer: String?

    @Option(name: .customLong("oidc-client-id"), help: "Our client id at that provider (env MUSE_OIDC_CLIENT_ID).")
    var oidcClientID: String?

    @Option(name: .customLong("oidc-client-secret"), help: "Our client secret there, if any (env MUSE_OIDC_CLIENT_SECRET; none: a public client with PKCE).")
    var oidcClientSecret: String?

    @Option(name: .customLong("oidc-name"), help: "The provider's name on the sign-in button (env MUSE_OIDC_NAME; default OpenID).")
    var oidcName: String?

    @Flag(name: .customLong("print-config"), help: "Print the settings in effect and where each came from, then exit.")
    var printConfig = false

    static let defaultPort = 8080
    static let defaultContext = 2048
    /// The committed reports, when serving from a checkout of the repository.
    static let defaultResults = "evals/reports"
    static let defaultMaxQueue = 64
    static let defaultSlots = 8
    static let defaultMaxBody = 4 << 20
    static let defaultGraphBaseURL = "https://graph.facebook.com/v25.0"

    func run() async throws {
        let sources = try store.sources()
        let host = sources.string(host, env: "MUSE_HOST", key: "host") ?? "127.0.0.1"
        let port = try sources.int(port, env: "MUSE_PORT", key: "port") ?? Self.defaultPort
        let maxQueue = try sources.int(maxQueue, env: "MUSE_MAX_QUEUE", key: "max-queue") ?? Self.defaultMaxQueue
        let slots = try sources.int(slots, env: "MUSE_SLOTS", key: "slots") ?? Self.defaultSlots
        let maxBody = try sources.int(maxBody, env: "MUSE_MAX_BODY", key: "max-body") ?? Self.defaultMaxBody
        let authName = sources.string(auth, env: "MUSE_AUTH", key: "auth") ?? AccessControl.Mode.auto.rawValue
        guard let authMode = AccessControl.Mode(rawValue: authName) else {
            throw CommandFailure("--auth must be one of \(AccessControl.Mode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var reasoning = ReasoningSettings()
        reasoning.budget = try sources.int(reasoningBudget, env: "MUSE_REASONING_BUDGET", key: "reasoning-budget") ?? reasoning.budget
        reasoning.samples = try sources.int(contemplationSamples, env: "MUSE_CONTEMPLATION_SAMPLES", key: "contemplation-samples")
            ?? reasoning.samples
        guard (16...4096).contains(reasoning.budget), (2...8).contains(reasoning.samples) else {
            throw CommandFailure("--reasoning-budget must be 16...4096 and --contemplation-samples 2...8")
        }
        guard (1...64).contains(slots) else { throw CommandFailure("--slots must be between 1 and 64") }
        guard (0...65535).contains(port) else { throw CommandFailure("--port must be between 0 (any free port) and 65535") }
        guard maxQueue >= 1, maxBody >= 1024 else { throw CommandFailure("--max-queue must be at least 1 and --max-body at least 1024") }
        var modelOptions = options
        modelOptions.model = sources.string(options.model, env: "MUSE_MODEL", key: "model")
        if let threads = try sources.int(options.threadsFlag, env: "MUSE_THREADS", key: "threads") { modelOptions.threadsFlag = threads }
        let location = try store.location(sources)
        let meta = [(metaAppSecret, "MUSE_META_APP_SECRET", "meta-app-secret"), (metaVerifyToken, "MUSE_META_VERIFY_TOKEN", "meta-verify-token"),
                    (metaAccessToken, "MUSE_META_ACCESS_TOKEN", "meta-access-token")].map { sources.string($0.0, env: $0.1, key: $0.2) }
        let graphURL = sources.string(graphBaseURL, env: "MUSE_GRAPH_BASE_URL", key: "graph-base-url") ?? Self.defaultGraphBaseURL
        let webhooks = meta.allSatisfy { $0 != nil }
        guard webhooks || meta.allSatisfy({ $0 == nil }) else {
            throw CommandFailure("the webhooks need all of --meta-app-secret, --meta-verify-token and --meta-access-token")
        }
        let mmprojPath = sources.string(mmproj, env: "MUSE_MMPROJ", key: "mmproj")
        let replica = sources.string(replicaID, env: "MUSE_REPLICA_ID", key: "replica-id") ?? Self.defaultReplicaID(location, port: port)
        if printConfig {
            print("""
                config file: \(sources.config.path ?? "(none)")
                host: \(host)
                port: \(port)
                model: \(modelOptions.modelPath)
                threads: \(modelOptions.threads)
                slots: \(slots)
                max-queue: \(maxQueue)
                max-body: \(maxBody)
                auth: \(authMode.rawValue)
                reasoning-budget: \(reasoning.budget)
                contemplation-samples: \(reasoning.samples)
                store: \(location)
                webhooks: \(webhooks ? "on, Graph API \(graphURL)" : "off")
                replica-id: \(replica)
                mmproj: \(mmprojPath ?? "(none: images get the OCR/tagger observation)")
                public-url: \(sources.string(publicURL, env: "MUSE_PUBLIC_URL", key: "public-url") ?? "http://\(host):\(port)")
                oidc-issuer: \(sources.string(oidcIssuer, env: "MUSE_OIDC_ISSUER", key: "oidc-issuer") ?? "(none: local accounts only)")
                """)
            return
        }

        let loaded = try modelOptions.load()
        let context = min(try sources.int(ctx, env: "MUSE_CTX", key: "ctx") ?? Self.defaultContext, loaded.model.info.contextLength)
        guard context >= 16 else { throw CommandFailure("--ctx must be at least 16") }
        let fileName = URL(fileURLWithPath: loaded.path).lastPathComponent
        let defaultID = fileName.hasSuffix(".gguf") ? String(fileName.dropLast(5)) : fileName
        let modelID = sources.string(modelID, env: "MUSE_MODEL_ID", key: "model-id") ?? defaultID
        let sha = try Bench.sha256(of: loaded.path)
        var settings = ServerSettings(
            host: host, port: port, modelID: modelID, contextLength: context, maxQueue: maxQueue, bodyLimit: maxBody,
            fingerprint: ServerSettings.fingerprint(engineVersion: MuseVersion.engine, modelSHA256: sha))
        settings.reasoning = reasoning
        let resultsFolder = sources.string(results, env: "MUSE_RESULTS", key: "results")
            ?? (FileManager.default.fileExists(atPath: Self.defaultResults) ? Self.defaultResults : "none")
        settings.resultsFolder = resultsFolder == "none" ? nil : resultsFolder
        let database: Database
        do { database = try Database(location, connections: 4) } catch { throw CommandFailure("\(location): \(error)") }
        let server = "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)"
        let access = AccessControl(database: database, mode: authMode, server: server,
                                   listensOnLoopbackOnly: AccessControl.isLoopback(host: host))
        try? await access.limiter.prune()
        let scheduler: InferenceScheduler
        do { scheduler = try InferenceScheduler(loaded: loaded, contextLength: context, maxQueue: maxQueue, slots: slots) }
        catch { throw CommandFailure(error) }
        var embeddings: EmbeddingService?
        let embedderFolder = sources.string(embedder, env: "MUSE_EMBEDDER", key: "embedder") ?? TextEmbedder.defaultFolder
        do { embeddings = try EmbeddingService(folder: embedderFolder) } catch {
            printError("serve: no /v1/embeddings: \(error)")
        }
        // Shopping mode's recommender reads the same store; MiniLM when installed, else the lexical embedder.
        let shoppingEmbedder: any TextEmbedding
        do { shoppingEmbedder = EngineTextEmbedding(try TextEmbedder(folder: embedderFolder, pool: ThreadPool(threadCount: 1))) } catch {
            printError("serve: shopping search uses the lexical embedder: \(error)")
            shoppingEmbedder = HashingTextEmbedder()
        }
        let shopping = ShoppingService(store: ShoppingStore(database: database), embedder: shoppingEmbedder)
        var imageTagger: ImageTagger?
        let taggerFolder = sources.string(tagger, env: "MUSE_TAGGER", key: "tagger") ?? ImageTagger.defaultFolder
        // Its own one-thread pool: a photo is tagged on the request's thread, never stalling decode steps.
        do { imageTagger = try ImageTagger(folder: taggerFolder, pool: ThreadPool(threadCount: 1)) } catch {
            printError("serve: images get OCR only, no tagger: \(error)")
        }
        let perception = ImagePerception(tagger: imageTagger)
        let catalogue = ProductCatalog(database: database)
        var messaging: MessagingService?
        if webhooks, let secret = meta[0], let verify = meta[1], let token = meta[2] {
            do {
                messaging = MessagingService(store: MessagingStore(database: database, owner: replica),
                                             security: try WebhookSecurity(appSecret: secret, verifyToken: verify),
                                             graph: try GraphClient(baseURL: graphURL, accessToken: token),
                                             composer: ModelReplyComposer(scheduler: scheduler, perception: perception, catalogue: catalogue,
                                                                          accounts: AccountStore(database: database)))
            } catch { throw CommandFailure("\(error)") }
        }
        var nativeVision: NativeVision?
        if let mmprojPath {
            // Its own pool, so encoding an image never waits behind (or stalls) a decode step's dispatch.
            do {
                let encoder = try VisionEncoder(path: mmprojPath, pool: ThreadPool(threadCount: modelOptions.threads))
                nativeVision = try NativeVision(encoder: encoder, model: loaded.model.info, tokenizer: loaded.tokenizer)
            } catch { throw CommandFailure("--mmproj \(mmprojPath): \(error)") }
            printError("serve: images are encoded by \(mmprojPath) and spliced into the prompt")
        }
        let web = try webApp(sources, database: database, host: host, port: port)
        let api = MuseAPI(scheduler: scheduler, settings: settings, embeddings: embeddings, access: access,
                          perception: perception, catalogue: catalogue,
                          messaging: messaging, shopping: shopping, web: web, nativeVision: nativeVision)
        var logger = Logger(label: "muse.serve")
        logger.logLevel = .info
        let app = api.makeApplication(host: host, port: port, logger: logger) { port in
            printError("serve: \(modelID) (sha256 \(sha)) on http://\(host):\(port)/v1, context \(context), "
                       + "\(slots) slots, queue \(maxQueue), keys \(authMode.rawValue), store \(location)")
        }
        // The worker answers stored messages and drains the outbox, including what a previous run left.
        let worker = messaging.map { service in
            Task { await service.runWorker { printError("serve: messaging: \($0)") } }
        }
        try await app.runService()
        worker?.cancel()
        scheduler.shutdown()
    }

    /// Stable across restarts wherever the setup allows, so a restarted replica takes back its
    /// leases at once instead of waiting them out: a fixed port names one server on its machine;
    /// with --port 0 (a new port each start) an SQLite file still does (one server at a time uses
    /// it), while replicas sharing PostgreSQL get the process id, unique but new each start.
    static func defaultReplicaID(_ location: DatabaseLocation, port: Int) -> String {
        let host = ProcessInfo.processInfo.hostName
        switch location {
        case _ where port != 0: return "\(host):\(port)"
        case .sqlite(let path): return "\(host):\(path)"
        case .postgres: return "\(host):pid\(ProcessInfo.processInfo.processIdentifier)"
        }
    }

    /// The web assistant: local accounts, plus the OpenID provider when one is configured.
    func webApp(_ sources: SettingSources, database: Database, host: String, port: Int) throws -> WebApp {
        let base = sources.string(publicURL, env: "MUSE_PUBLIC_URL", key: "public-url") ?? "http://\(host):\(port)"
        guard let baseURL = URL(string: base), baseURL.scheme == "http" || baseURL.scheme == "https" else {
            throw CommandFailure("--public-url must be an http:// or https:// URL")
        }
        var openID: OIDCClientConfiguration?
        if let issuer = sources.string(oidcIssuer, env: "MUSE_OIDC_ISSUER", key: "oidc-issuer") {
            guard let clientID = sources.string(oidcClientID, env: "MUSE_OIDC_CLIENT_ID", key: "oidc-client-id") else {
                throw CommandFailure("--oidc-issuer needs --oidc-client-id")
            }
            let secret = sources.string(oidcClientSecret, env: "MUSE_OIDC_CLIENT_SECRET", key: "oidc-client-secret")
            openID = OIDCClientConfiguration(issuer: issuer, clientID: clientID, clientSecret: secret,
                                             authentication: secret == nil ? .none : .clientSecretBasic,
                                             redirectURI: baseURL.appendingPathComponent("web/oidc/callback"))
        }
        return WebApp(accounts: AccountStore(database: database), openID: openID,
                      providerName: sources.string(oidcName, env: "MUSE_OIDC_NAME", key: "oidc-name") ?? "OpenID",
                      secureCookies: baseURL.scheme == "https")
    }
}
