import Foundation
import Generation
import Hummingbird
import Messaging
import Shelf
import Shopping
import Tokenization

/// What the server is configured with (flags, environment, defaults: see `muse serve --help`).
public struct ServerSettings: Sendable {
    public var host: String
    public var port: Int
    /// The name clients pass as `model` (the file name without `.gguf` by default).
    public var modelID: String
    public var contextLength: Int
    public var maxQueue: Int
    public var bodyLimit: Int
    /// `system_fingerprint` of every response: engine version and model file SHA-256 prefix.
    public var fingerprint: String
    /// Thinking's reasoning budget and Contemplating's sample count.
    public var reasoning = ReasoningSettings()
    /// The folder of evaluation reports `/results` shows (`muse eval --out`); nil: no results page.
    public var resultsFolder: String?

    public init(host: String, port: Int, modelID: String, contextLength: Int, maxQueue: Int, bodyLimit: Int,
                fingerprint: String) {
        self.host = host
        self.port = port
        self.modelID = modelID
        self.contextLength = contextLength
        self.maxQueue = maxQueue
        self.bodyLimit = bodyLimit
        self.fingerprint = fingerprint
    }

    public static func fingerprint(engineVersion: String, modelSHA256: String) -> String {
        "muse-\(engineVersion)-\(modelSHA256.prefix(12))"
    }
}

/// The OpenAI-compatible routes over one scheduler.
public final class MuseAPI: Sendable {
    public let scheduler: InferenceScheduler
    public let settings: ServerSettings
    public let metrics = ServerMetrics()
    public let embeddingService: EmbeddingService?
    /// Keys, limits and usage; nil serves everyone unmetered (in-process tests).
    public let access: AccessControl?
    /// Reads `image_url` parts: fetch, decode, OCR, the optional tagger.
    public let perception: ImagePerception
    /// The native VLM path (`--mmproj`): images encoded and spliced into the prompt; nil: OCR/tagger observations.
    public let nativeVision: NativeVision?
    /// The products /v1/vision/shelf matches against; nil: the route answers that there is none.
    public let catalogue: ProductCatalog?
    /// The WhatsApp / Messenger / Instagram webhooks; nil serves none.
    public let messaging: MessagingService?
    /// The shopping recommender; nil: /v1/shopping routes answer 400 shopping_unavailable, Shopping mode 400 mode_unavailable.
    public let shopping: ShoppingService?
    /// The web assistant at `/` (accounts, conversations, memory); nil: the API alone.
    public let web: WebApp?
    let created = Int(Date().timeIntervalSince1970)
    var tokenizer: Tokenizer { scheduler.loaded.tokenizer }

    public init(scheduler: InferenceScheduler, settings: ServerSettings, embeddings: EmbeddingService? = nil,
                access: AccessControl? = nil, perception: ImagePerception = ImagePerception(),
                catalogue: ProductCatalog? = nil, messaging: MessagingService? = nil, shopping: ShoppingService? = nil,
                web: WebApp? = nil, nativeVision: NativeVision? = nil) {
        self.scheduler = scheduler
        self.perception = perception
        self.nativeVision = nativeVision
        self.catalogue = catalogue
        self.web = web
        self.shopping = shopping
        self.settings = settings
        embeddingService = embeddings
        self.access = access
        self.messaging = messaging
    }

    public func makeRouter() -> Router<MuseRequestContext> {
        let router = Router(context: MuseRequestContext.self)
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.add(middleware: OpenAIErrorMiddleware())
        router.add(middleware: ClientConnectionMiddleware())
        if let access { router.add(middleware: AccessMiddleware(access: access)) }
        router.get("/health") { _, _ in self.json(["status": "ok"]) }
        router.get("/metrics") { _, _ in
            let text = self.metrics.render(queueDepth: self.scheduler.queueDepth, activeSlots: self.scheduler.activeSlots,
                                           slots: self.scheduler.slotCount)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/v1/models") { _, _ in self.json(ModelList(data: self.modelObjects)) }
        router.get("/v1/models/{id}") { _, context in
            guard let model = self.modelObjects.first(where: { $0.id == context.parameters.get("id") }) else {
                throw APIError.notFound("The model '\(context.parameters.get("id") ?? "")' does not exist", code: "model_not_found")
            }
            return self.json(model)
        }
        router.post("/v1/embeddings") { request, _ in try self.embeddings(try await self.decode(EmbeddingRequest.self, from: request)) }
        router.post("/v1/chat/completions") { request, _ in
            try await self.chatCompletions(try await self.decode(ChatCompletionRequest.self, from: request))
        }
        router.post("/v1/completions") { request, _ in
            try await self.completions(try await self.decode(CompletionRequest.self, from: request))
        }
        router.post("/v1/vision/shelf") { request, _ in
            try await self.shelf(try await self.decode(ShelfRequest.self, from: request))
        }
        router.post("/v1/look") { request, _ in try await self.look(try await self.decode(LookRequest.self, from: request)) }
        if let messaging { addWebhookRoutes(messaging, to: router) }
        router.post("/tokenize") { request, _ in try await self.tokenize(try await self.decode(TokenizeRequest.self, from: request)) }
        router.post("/detokenize") { request, _ in
            let body = try await self.decode(DetokenizeRequest.self, from: request)
            guard body.tokens.allSatisfy({ $0 >= 0 && $0 < self.tokenizer.vocabularySize }) else {
                throw APIError.badRequest("tokens must be ids below \(self.tokenizer.vocabularySize)", param: "tokens")
            }
            return self.json(["prompt": self.tokenizer.decode(body.tokens, decodeSpecial: true)])
        }
        addShoppingRoutes(to: router)
        if let web { addWebRoutes(to: router, web) }
        if let folder = settings.resultsFolder { addResultsRoutes(to: router, EvalResults(folder: folder)) }
        return router
    }

    /// Every route's path and method (the router registered in `makeRouter` has exactly these), so
    /// a known path asked with another method is a 405 naming the allowed one, not a 404.
    public static let routeMethods: [String: HTTPRequest.Method] = [
        "/health": .get, "/metrics": .get, "/v1/models": .get, "/v1/models/{id}": .get, "/v1/embeddings": .post,
        "/v1/chat/completions": .post, "/v1/completions": .post, "/v1/vision/shelf": .post, "/v1/look": .post, "/tokenize": .post, "/detokenize": .post,
        "/v1/shopping/recommendations": .get, "/v1/shopping/feedback": .post, "/v1/shopping/consent": .post,
        "/v1/shopping/reset": .post, "/v1/shopping/import": .post,
    ]

    /// The method a path is served with, matching `{...}` segments to anything.
    static func allowedMethod(for path: String) -> HTTPRequest.Method? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        return routeMethods.first { pattern, _ in
            let parts = pattern.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == segments.count
                && zip(parts, segments).allSatisfy { part, segment in part.hasPrefix("{") ? !segment.isEmpty : part == segment }
        }?.value
    }

    /// The models served, less those the request's key may not use.
    var modelObjects: [ModelObject] {
        let all = [ModelObject(id: settings.modelID, created: created)]
            + (embeddingService.map { [ModelObject(id: $0.id, created: created)] } ?? [])
        guard let key = RequestMeter.current?.key else { return all }
        return all.filter { key.allows(model: $0.id) }
    }

    /// 403 when the request's key has an allow-list without `model`; the model is metered.
    func checkAllowed(_ model: String) throws(APIError) {
        RequestMeter.current?.setModel(model)
        if let key = RequestMeter.current?.key, !key.allows(model: model) {
            throw .forbidden("the API key \(key.prefix)... may not use model '\(model)'", code: "model_not_allowed")
        }
    }

    // MARK: - Helpers

    func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws(APIError) -> T {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: settings.bodyLimit) }
        catch { throw .payloadTooLarge(limit: settings.bodyLimit) }
        do { return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView)) }
        catch let error as DecodingError { throw .badRequest("invalid JSON body: \(Self.describe(error))") }
        catch { throw .badRequest("invalid JSON body") }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context): return context.debugDescription
        case .keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "wrong type at '\(path)'"
        @unknown default: return "\(error)"
        }
    }

    func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? Self.encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    func checkModel(_ model: String?) throws(APIError) {
        guard let model, !model.isEmpty else { throw .badRequest("you must provide a model parameter", param: "model") }
        try checkAllowed(model)
        guard model == settings.modelID else {
            throw .badRequest("The model '\(model)' does not exist; this server serves '\(settings.modelID)'",
                              param: "model", code: "model_not_found")
        }
    }

    static func requestID(_ prefix: String) -> String {
        prefix + "-" + (0..<12).map { _ in String(UInt8.random(in: 0...35), radix: 36) }.joined()
    }

    static func finishReason(_ reason: FinishReason) -> String {
        switch reason {
        case .stop: return "stop"
        case .length, .contextFull: return "length"
        case .cancelled: return "stop"
        }
    }

    /// One choice's generation collected: text, tokens, chat logprobs, finish reason.
    struct Collected {
        var text = ""
        var events: [TokenEvent] = []
        var result: GenerationResult?
    }

    func collect(_ stream: AsyncThrowingStream<GenerationEvent, any Error>, since start: Date) async throws -> Collected {
        var collected = Collected()
        for try await event in stream {
            switch event {
            case .token(let token):
                if collected.events.isEmpty { metrics.recordFirstToken(seconds: Date().timeIntervalSince(start)) }
                collected.text += token.text
                if token.id >= 0 { collected.events.append(token) }  // id -1: text held back until the end
            case .finished(let result):
                collected.result = result
                metrics.recordTokens(prompt: result.promptTokens, cached: result.cachedPromptTokens, completion: result.tokens.count)
            }
        }
        // Ended by a client that went away (its job may have been dropped before it started).
        if collected.result?.finishReason == .cancelled || ClientConnection.current?.isClosed == true {
            throw APIError.clientClosedRequest
        }
        return collected
    }

    func logprobEntry(_ event: TokenEvent) -> TokenLogprobEntry {
        let text = tokenizer.decode([event.id], decodeSpecial: true)
        let alternatives = event.topLogprobs.map { alt in
            let altText = tokenizer.decode([alt.id], decodeSpecial: true)
            return TokenLogprobEntry.Alternative(token: altText, logprob: alt.logprob, bytes: Array(altText.utf8))
        }
        return TokenLogprobEntry(token: text, logprob: event.logprob ?? 0, bytes: Array(text.utf8), top_logprobs: alternatives)
    }
}

/// Counts every request by endpoint (the route's pattern) and status, with its latency.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = MuseRequestContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = Date()
        let response = try await next(request, context)
        metrics.recordRequest(endpoint: context.endpointPath ?? "unmatched", status: response.status.code,
                              seconds: Date().timeIntervalSince(start))
        return response
    }
}

/// Every error leaves in OpenAI's shape: ours as they are, the router's (unknown route: 404,
/// wrong method: 405) and anything unexpected (500) converted.
struct OpenAIErrorMiddleware: RouterMiddleware {
    typealias Context = MuseRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            var response = Self.response(error.status, body: error.body)
            response.headers.append(contentsOf: error.headers)
            return response
        } catch let error as any HTTPResponseError {
            if error.status == .notFound, let allowed = MuseAPI.allowedMethod(for: request.uri.path), allowed != request.method {
                var response = Self.response(.methodNotAllowed, body: APIError.internalFailure(
                    "\(request.method) is not allowed on \(request.uri.path); use \(allowed)").body(type: "invalid_request_error"))
                response.headers[.allow] = allowed.rawValue
                return response
            }
            let message = error.status == .notFound ? "no route \(request.method) \(request.uri.path)" : "\(error.status)"
            return Self.response(error.status, body: APIError.internalFailure(message).body(type: "invalid_request_error"))
        } catch {
            return Self.response(.internalServerError, body: APIError.internalFailure("\(error)").body)
        }
    }

    static func response(_ status: HTTPResponse.Status, body: Data) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
