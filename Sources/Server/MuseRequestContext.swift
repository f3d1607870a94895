import Hummingbird
import Logging
import NIOCore

/// The request context of every route. Besides the one Hummingbird makes per connection, it
/// can be made without a connection, to call the routes in-process (the tests do).
public struct MuseRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection the request came on (nil in-process), watched for the client going away.
    public let channel: (any Channel)?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    public init(logger: Logger) {
        coreContext = .init(source: DetachedSource(logger: logger))
        channel = nil
    }

    struct DetachedSource: RequestContextSource {
        let logger: Logger
    }
}
