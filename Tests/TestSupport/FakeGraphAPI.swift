import Crypto
import Foundation
import Hummingbird
import Logging
import NIOCore

/// Meta's Graph API as far as the messaging surfaces use it, on a loopback port, for the tests
/// only: the three send endpoints (`POST /<version>/<id>/messages`), media metadata
/// (`GET /<version>/<media id>`) and the short-lived media URL. Every request is recorded and its
/// bearer token checked; sends answer from a queue of statuses the test sets (200 when empty).
public final class FakeGraphAPI: @unchecked Sendable {  // every mutable member behind `lock`
    public struct RecordedRequest: Sendable, Equatable {
        public let method: String
        public let path: String
        public let authorization: String?
        public let body: String

        /// The body as a JSON object (sends), empty when it is not one.
        public var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
        }
    }

    public static let version = "v25.0"
    public let accessToken: String
    private let lock = NSLock()
    private var boundPort: Int?
    private var recorded: [RecordedRequest] = []
    private var sendStatuses: [Int] = []
    private var media: [String: Data] = [:]
    private var sentCount = 0

    init(accessToken: String) { self.accessToken = accessToken }

    public var port: Int { lock.withLock { boundPort ?? 0 } }
    /// What our side is configured with: the root plus the API version.
    public var baseURL: String { "http://127.0.0.1:\(port)/\(Self.version)" }
    public var requests: [RecordedRequest] { lock.withLock { recorded } }
    /// The recorded sends (`POST .../messages`), in order.
    public var sends: [RecordedRequest] { requests.filter { $0.method == "POST" && $0.path.hasSuffix("/messages") } }

    /// The next sends answer these statuses, in order (an error body for anything but 200).
    public func answerSends(with statuses: [Int]) { lock.withLock { sendStatuses = statuses } }
    /// Serves `data` as media `id` (metadata and download).
    public func addMedia(id: String, data: Data) { lock.withLock { media[id] = data } }

    /// Runs `body` while the fake listens on a free loopback port.
    public static func run(accessToken: String = "test-access-token", _ body: (FakeGraphAPI) async throws -> Void) async throws {
        let fake = FakeGraphAPI(accessToken: accessToken)
        var logger = Logger(label: "fake-graph-api")
        logger.logLevel = .critical  // stopping by cancellation logs errors that are no failure here
        let app = Application(router: fake.router(),
                              configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "fake-graph"),
                              onServerRunning: { channel in fake.lock.withLock { fake.boundPort = channel.localAddress?.port } },
                              logger: logger)
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        defer { server.cancel() }
        // A bound of 60 s only keeps a broken build from hanging; no timing is asserted.
        for _ in 0..<3000 where fake.lock.withLock({ fake.boundPort == nil }) {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        guard fake.lock.withLock({ fake.boundPort != nil }) else { throw CancellationError() }
        try await body(fake)
    }

    private func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post(RouterPath(stringLiteral: Self.version + "/{id}/messages")) { request, context in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            return self.send(request, body: String(buffer: body), id: context.parameters.get("id") ?? "")
        }
        router.get(RouterPath(stringLiteral: Self.version + "/{id}")) { request, context in
            self.mediaMetadata(request, id: context.parameters.get("id") ?? "")
        }
        router.get("media/{id}") { request, context in self.download(request, id: context.parameters.get("id") ?? "") }
        router.get("cdn/{id}") { request, context in self.cdn(request, id: context.parameters.get("id") ?? "") }
        return router
    }

    private func record(_ request: Request, body: String = "") -> Bool {
        let authorization = request.headers[.authorization]
        lock.withLock {
            recorded.append(RecordedRequest(method: request.method.rawValue, path: request.uri.path,
                                            authorization: authorization, body: body))
        }
        return authorization == "Bearer \(accessToken)"
    }

    private static func json(_ object: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Graph's error shape; code 190 is an invalid token.
    private static func error(_ status: HTTPResponse.Status, _ message: String, code: Int) -> Response {
        json(["error": ["message": message, "type": "OAuthException", "code": code]], status: status)
    }

    private func send(_ request: Request, body: String, id: String) -> Response {
        guard record(request, body: body) else { return Self.error(.unauthorized, "Invalid OAuth access token", code: 190) }
        let status = lock.withLock { sendStatuses.isEmpty ? 200 : sendStatuses.removeFirst() }
        guard status == 200 else {
            return Self.error(HTTPResponse.Status(code: status), "fake failure \(status)", code: status == 429 ? 613 : 2)
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
        let number = lock.withLock { sentCount += 1; return sentCount }
        if object["messaging_product"] as? String == "whatsapp" {
            let to = object["to"] as? String ?? ""
            return Self.json(["messaging_product": "whatsapp", "contacts": [["input": to, "wa_id": to]],
                              "messages": [["id": "wamid.out.\(number)"]]])
        }
        let recipient = (object["recipient"] as? [String: Any])?["id"] as? String ?? ""
        return Self.json(["recipient_id": recipient, "message_id": "m_out.\(number)"])
    }

    private func mediaMetadata(_ request: Request, id: String) -> Response {
        guard record(request) else { return Self.error(.unauthorized, "Invalid OAuth access token", code: 190) }
        guard let data = lock.withLock({ media[id] }) else { return Self.error(.notFound, "no media \(id)", code: 100) }
        return Self.json(["url": "http://127.0.0.1:\(port)/media/\(id)", "mime_type": "image/png",
                          "sha256": Self.hex(data), "file_size": data.count, "id": id])
    }

    private func download(_ request: Request, id: String) -> Response {
        guard record(request) else { return Self.error(.unauthorized, "Invalid OAuth access token", code: 190) }
        guard let data = lock.withLock({ media[id] }) else { return Self.error(.notFound, "no media \(id)", code: 100) }
        return Response(status: .ok, headers: [.contentType: "image/png"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A Messenger/Instagram attachment URL: a signed CDN link that needs (and must get) no token.
    private func cdn(_ request: Request, id: String) -> Response {
        _ = record(request)
        guard let data = lock.withLock({ media[id] }) else { return Self.error(.notFound, "no media \(id)", code: 100) }
        return Response(status: .ok, headers: [.contentType: "image/png"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Where a Messenger/Instagram webhook would say media `id` lies.
    public func attachmentURL(_ id: String) -> String { "http://127.0.0.1:\(port)/cdn/\(id)" }

    public static func hex(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }
}
