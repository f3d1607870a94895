import Hummingbird
import Logging

/// The request context of every route. Besides the one Hummingbird makes per connection, it
/// can be made without a connection, to call the routes in-process (the tests do).
public struct MuseRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    public init(logger: Logger) {
        coreContext = .init(source: DetachedSource(logger: logger))
    }

    struct DetachedSource: RequestContextSource {
        let logger: Logger
    }
}
