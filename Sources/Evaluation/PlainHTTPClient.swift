import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// HTTP/1.1 over plain TCP on SwiftNIO, one connection per request.
/// Why not URLSession: on Linux, Foundation's libcurl event loop spins while requests wait
/// (measured: an eval client took one of the machine's two cores, mostly in epoll_ctl and
/// eventfd writes, while the server it waited on generated with the other), so an eval ran at
/// half speed. `https` URLs still go through URLSession (`EvalClient`).
public struct PlainHTTPClient: Sendable {
    public struct Response: Sendable {
        public let status: Int
        public let body: Data
    }

    public static let connectTimeout = TimeAmount.seconds(10)

    public init() {}

    /// Sends one request and returns the whole response; fails after `timeout` seconds.
    public func send(method: String, url: URL, headers: [(String, String)] = [], body: Data? = nil,
                     timeout: TimeInterval) async throws -> Response {
        guard url.scheme == "http", let host = url.host, !host.isEmpty else {
            throw EvaluationError.server("\(url.absoluteString): only http:// URLs go over plain TCP")
        }
        let port = url.port ?? 80
        let target = (url.path.isEmpty ? "/" : url.path) + (url.query.map { "?" + $0 } ?? "")
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: target)
        head.headers.add(name: "Host", value: url.port.map { "\(host):\($0)" } ?? host)
        head.headers.add(name: "Connection", value: "close")
        head.headers.add(name: "Content-Length", value: String(body?.count ?? 0))
        for (name, value) in headers { head.headers.add(name: name, value: value) }

        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: Response.self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(Self.connectTimeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: promise))
                    }
                }
                .connect(host: host, port: port).get()
        } catch {
            promise.fail(error)
            throw EvaluationError.server("\(url.absoluteString): cannot connect: \(error)")
        }
        let deadline = channel.eventLoop.scheduleTask(in: .milliseconds(Int64(timeout * 1000))) {
            promise.fail(EvaluationError.server("\(url.absoluteString): no complete answer within \(Int(timeout)) s"))
            channel.close(promise: nil)
        }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if let body, !body.isEmpty { channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil) }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        defer { deadline.cancel() }
        return try await promise.futureResult.get()
    }
}

/// Gathers one response; a connection that ends first, or fails, fails the request.
private final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<PlainHTTPClient.Response>
    private var status = 0
    private var body = ByteBuffer()
    private var done = false

    init(promise: EventLoopPromise<PlainHTTPClient.Response>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): status = Int(head.status.code)
        case .body(var part): body.writeBuffer(&part)
        case .end:
            complete(.success(PlainHTTPClient.Response(status: status, body: Data(body.readableBytesView))))
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        complete(.failure(EvaluationError.server("connection failed: \(error)")))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        complete(.failure(EvaluationError.server("the server closed the connection before the response ended")))
        context.fireChannelInactive()
    }

    private func complete(_ result: Result<PlainHTTPClient.Response, any Error>) {
        guard !done else { return }
        done = true
        promise.completeWith(result)
    }
}
