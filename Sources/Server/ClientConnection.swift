import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Whether the client at the other end of one HTTP connection is still there. A request's
/// generations watch it (`InferenceScheduler.generate`) and stop before their next token once the
/// client has gone, streamed or not: a non-streamed answer writes nothing until it is complete,
/// so only the connection can tell that nobody waits for it any more.
public final class ClientConnection: @unchecked Sendable {  // state behind `lock`
    private struct State {
        var closed = false
        var nextID = 0
        var onClose: [Int: @Sendable () -> Void] = [:]
    }
    private let lock = NSLock()
    private var state = State()

    /// The connection of the request being handled (set by `ClientConnectionMiddleware`); nil when
    /// a route is called without a connection (in-process tests).
    @TaskLocal public static var current: ClientConnection?

    public init() {}

    public var isClosed: Bool { lock.withLock { state.closed } }

    /// Runs `action` once when the client goes (at once if it has gone); returns what
    /// `removeCloseAction` takes to forget it when the work it would stop has ended.
    @discardableResult
    public func onClose(_ action: @escaping @Sendable () -> Void) -> Int {
        let registered = lock.withLock { () -> Int? in
            guard !state.closed else { return nil }
            state.nextID += 1
            state.onClose[state.nextID] = action
            return state.nextID
        }
        guard let registered else {
            action()
            return 0
        }
        return registered
    }

    public func removeCloseAction(_ id: Int) {
        _ = lock.withLock { state.onClose.removeValue(forKey: id) }
    }

    /// The client has closed its side (or the connection is gone): runs the registered actions.
    public func close() {
        let actions = lock.withLock { () -> [@Sendable () -> Void] in
            guard !state.closed else { return [] }
            state.closed = true
            defer { state.onClose.removeAll() }
            return Array(state.onClose.values)
        }
        for action in actions { action() }
    }
}

/// Sits in each connection's channel pipeline and closes its `ClientConnection` when the client
/// closes its side (an HTTP client never half-closes while it waits for an answer) or the
/// connection drops. Everything else passes through untouched.
final class ClientConnectionWatcher: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = NIOAny
    let connection = ClientConnection()

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { connection.close() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.close()
        context.fireChannelInactive()
    }
}

/// Makes the request's `ClientConnection` the task's `ClientConnection.current` while its
/// route runs, so the generations it queues stop when the client goes.
struct ClientConnectionMiddleware: RouterMiddleware {
    typealias Context = MuseRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let channel = context.channel,
              let watcher = try? await channel.pipeline.handler(type: ClientConnectionWatcher.self).get()
        else { return try await next(request, context) }
        return try await ClientConnection.$current.withValue(watcher.connection) { try await next(request, context) }
    }
}

extension MuseAPI {
    /// The HTTP/1.1 server for these routes, with a `ClientConnectionWatcher` on every connection.
    public static var httpServer: HTTPServerBuilder {
        .http1(configuration: .init(additionalChannelHandlers: [ClientConnectionWatcher()]))
    }

    /// The application serving these routes on `host:port` (port 0: any free port);
    /// `onRunning` gets the port it listens on.
    public func makeApplication(host: String, port: Int, logger: Logger,
                                onRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in })
        -> Application<RouterResponder<MuseRequestContext>> {
        Application(router: makeRouter(), server: Self.httpServer,
                    configuration: .init(address: .hostname(host, port: port), serverName: "muse"),
                    onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
                    logger: logger)
    }
}
