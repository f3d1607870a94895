import Foundation
import Generation
import Hummingbird
import Kernels
import Logging
import ModelFiles
import Server
import Testing
import TestSupport
import Vision

/// One model and scheduler per queue size, shared by the tests (each test makes its own app).
enum TestServer {
    static let modelID = "SmolLM2-135M-Instruct.Q4_1"
    static let fingerprint = "muse-test-0123456789ab"
    static let bodyLimit = 64 << 10
    static let contextLength = 512

    /// The shared API's queue holds every request the suites send at once (503 is tested on its own API).
    /// With `mmproj` (the bytes of a mmproj GGUF), images take the native VLM path.
    static func makeAPI(maxQueue: Int = 64, embeddings: Bool = false, mmproj: [UInt8]? = nil) throws -> MuseAPI {
        let path = TestModel.defaultPath
        guard FileManager.default.fileExists(atPath: path) else {
            Issue.record("default model missing at \(path): run scripts/setup.sh")
            throw GenerationError.modelMissing(path)
        }
        let loaded = try LoadedModel(path: path, threads: 2)
        let scheduler = try InferenceScheduler(loaded: loaded, contextLength: contextLength, maxQueue: maxQueue)
        let settings = ServerSettings(host: "127.0.0.1", port: 0, modelID: modelID, contextLength: contextLength,
                                      maxQueue: maxQueue, bodyLimit: bodyLimit, fingerprint: fingerprint)
        let vision = try mmproj.map { bytes in
            try NativeVision(encoder: try VisionEncoder(file: try GGUFFile(bytes: bytes), pool: ThreadPool(threadCount: 1)),
                             model: loaded.model.info, tokenizer: loaded.tokenizer)
        }
        return MuseAPI(scheduler: scheduler, settings: settings,
                       embeddings: embeddings ? try EmbeddingService(folder: TextEmbedder.defaultFolder) : nil,
                       nativeVision: vision)
    }

    static let shared: Result<MuseAPI, any Error> = Result { try makeAPI() }
}

/// A JSON object from a response body.
func jsonObject(_ buffer: ByteBuffer) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))
    return try #require(object as? [String: Any])
}

/// A response as the tests see it: status, headers, the whole body.
struct TestResponse: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: ByteBuffer
}

/// Calls the API's routes in-process, through the same router and middleware a connection
/// goes through, without a socket.
struct InProcessClient: Sendable {
    let responder: RouterResponder<MuseRequestContext>

    init(_ api: MuseAPI) { responder = api.makeRouter().buildResponder() }

    func execute<Value>(uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: ByteBuffer? = nil,
                        _ check: (TestResponse) async throws -> Value) async throws -> Value {
        var head = HTTPRequest(method: method, scheme: "http", authority: "localhost", path: uri)
        head.headerFields = headers
        let request = Request(head: head, body: RequestBody(buffer: body ?? ByteBuffer()))
        let response = try await responder.respond(to: request, context: MuseRequestContext(logger: Logger(label: "test")))
        let collector = BodyCollector()
        try await response.body.write(CollectingWriter(collector: collector))
        return try await check(TestResponse(status: response.status, headers: response.headers, body: collector.buffer))
    }
}

final class BodyCollector: @unchecked Sendable {
    var buffer = ByteBuffer()
}

struct CollectingWriter: ResponseBodyWriter {
    let collector: BodyCollector
    mutating func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        collector.buffer.writeBuffer(&buffer)
    }
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// POSTs `body` (a JSON text) and hands the response to `check`.
func post(_ client: InProcessClient, _ uri: String, _ body: String,
          check: (TestResponse) async throws -> Void) async throws {
    try await client.execute(uri: uri, method: .post, headers: [.contentType: "application/json"],
                             body: ByteBuffer(string: body)) { response in try await check(response) }
}

/// The `data:` payloads of a server-sent event stream.
func eventPayloads(_ buffer: ByteBuffer) -> [String] {
    String(buffer: buffer).components(separatedBy: "\n\n").compactMap { event in
        event.hasPrefix("data: ") ? String(event.dropFirst(6)) : nil
    }
}

/// The error object of an OpenAI-shaped error body.
func errorObject(_ buffer: ByteBuffer) throws -> [String: Any] {
    try #require(try jsonObject(buffer)["error"] as? [String: Any])
}

/// A fixture built once, on first use, by whichever test comes first (the others wait for it).
actor BuiltOnce<Value: Sendable> {
    private var built: Value?
    private let build: @Sendable () async throws -> Value

    init(_ build: @escaping @Sendable () async throws -> Value) { self.build = build }

    func get() async throws -> Value {
        if let built { return built }
        let value = try await build()
        built = value
        return value
    }
}
