import Foundation
import Generation
import Hummingbird
import HummingbirdTesting
import Server
import Testing
import TestSupport

/// One model and scheduler per queue size, shared by the tests (each test makes its own app).
enum TestServer {
    static let modelID = "SmolLM2-135M-Instruct.Q4_1"
    static let fingerprint = "muse-test-0123456789ab"
    static let bodyLimit = 64 << 10
    static let contextLength = 512

    static func makeAPI(maxQueue: Int = 16) throws -> MuseAPI {
        let path = TestModel.defaultPath
        guard FileManager.default.fileExists(atPath: path) else {
            Issue.record("default model missing at \(path): run scripts/setup.sh")
            throw GenerationError.modelMissing(path)
        }
        let loaded = try LoadedModel(path: path, threads: 2)
        let scheduler = try InferenceScheduler(loaded: loaded, contextLength: contextLength, maxQueue: maxQueue)
        let settings = ServerSettings(host: "127.0.0.1", port: 0, modelID: modelID, contextLength: contextLength,
                                      maxQueue: maxQueue, bodyLimit: bodyLimit, fingerprint: fingerprint)
        return MuseAPI(scheduler: scheduler, settings: settings)
    }

    static let shared: Result<MuseAPI, any Error> = Result { try makeAPI() }
}

/// A JSON object from a response body.
func jsonObject(_ buffer: ByteBuffer) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))
    return try #require(object as? [String: Any])
}

/// POSTs `body` (a JSON text) and hands the response to `check`.
func post(_ client: some TestClientProtocol, _ uri: String, _ body: String,
          check: @escaping (TestResponse) async throws -> Void) async throws {
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
