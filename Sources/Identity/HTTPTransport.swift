import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An HTTP request as the relying party makes them (small, to the provider's endpoints).
public struct OIDCHTTPRequest: Sendable, Equatable {
    public var method: String
    public var url: URL
    public var headers: [String: String]
    public var body: Data?

    public init(method: String = "GET", url: URL, headers: [String: String] = [:], body: Data? = nil) {
        (self.method, self.url, self.headers, self.body) = (method, url, headers, body)
    }
}

public struct OIDCHTTPResponse: Sendable, Equatable {
    public var status: Int
    public var body: Data

    public init(status: Int, body: Data) { (self.status, self.body) = (status, body) }
}

/// How the relying party reaches the provider; tests may substitute an in-memory one.
public protocol HTTPTransport: Sendable {
    /// Sends `request`, refusing a body over `sizeLimit` bytes with `.responseTooLarge`.
    func send(_ request: OIDCHTTPRequest, sizeLimit: Int) async throws(IdentityError) -> OIDCHTTPResponse
}

extension HTTPTransport {
    /// Sends `request` and returns the body of a 200 answer; any other status is an error.
    func fetch(_ request: OIDCHTTPRequest, sizeLimit: Int) async throws(IdentityError) -> Data {
        let response = try await send(request, sizeLimit: sizeLimit)
        guard response.status == 200 else { throw .httpStatus(response.status, url: request.url.absoluteString) }
        return response.body
    }
}

/// Only https reaches a provider, except http to a loopback host (tests and local development),
/// because discovery, keys and tokens fetched in the clear could be replaced on the way.
func requireSecure(_ url: URL) throws(IdentityError) {
    let scheme = url.scheme?.lowercased()
    if scheme == "https", url.host != nil { return }
    if scheme == "http", let host = url.host, ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host.lowercased()) { return }
    throw .insecureURL(url.absoluteString)
}

/// URLSession, with a per-request timeout and a body cap enforced while the body arrives (a
/// hostile endpoint cannot make us buffer more than the cap).
public struct URLSessionTransport: HTTPTransport {
    /// Providers answer in well under a second; ten seconds covers a slow one without letting a
    /// stalled endpoint hold a sign-in for the system default of a minute.
    public static let defaultTimeout: TimeInterval = 10

    public var timeout: TimeInterval

    public init(timeout: TimeInterval = URLSessionTransport.defaultTimeout) { self.timeout = timeout }

    public func send(_ request: OIDCHTTPRequest, sizeLimit: Int) async throws(IdentityError) -> OIDCHTTPResponse {
        var urlRequest = URLRequest(url: request.url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        urlRequest.httpBody = request.body
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        let collector = CappedCollector(limit: sizeLimit, url: request.url.absoluteString)
        let session = URLSession(configuration: configuration, delegate: collector, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let result: Result<OIDCHTTPResponse, IdentityError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                collector.start(session.dataTask(with: urlRequest), continuation: continuation)
            }
        } onCancel: {
            collector.cancel()
        }
        return try result.get()
    }
}

/// Accumulates one task's body and finishes its continuation exactly once.
private final class CappedCollector: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    // Every mutable member is guarded by `lock`; URLSession calls the delegate on its own queue.
    private let lock = NSLock()
    private let limit: Int
    private let url: String
    private var body = Data()
    private var task: URLSessionTask?
    private var continuation: CheckedContinuation<Result<OIDCHTTPResponse, IdentityError>, Never>?
    private var failure: IdentityError?

    init(limit: Int, url: String) { (self.limit, self.url) = (limit, url) }

    func start(_ task: URLSessionDataTask, continuation: CheckedContinuation<Result<OIDCHTTPResponse, IdentityError>, Never>) {
        lock.withLock { (self.task, self.continuation) = (task, continuation) }
        task.resume()
    }

    func cancel() {
        lock.withLock {
            if failure == nil { failure = .network("cancelled") }
            return task
        }?.cancel()
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        let tooLarge = response.expectedContentLength > Int64(limit)
        if tooLarge { lock.withLock { failure = .responseTooLarge(limit: limit, url: url) } }
        completionHandler(tooLarge ? .cancel : .allow)
    }

    /// Redirects are not followed: one could lead from https to plain http, and no provider
    /// endpoint we call is meant to redirect. The 3xx itself then fails as a status.
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        completionHandler(nil)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let overflow = lock.withLock {
            body.append(data)
            guard body.count > limit else { return false }
            failure = .responseTooLarge(limit: limit, url: url)
            return true
        }
        if overflow { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let (continuation, result): (CheckedContinuation<Result<OIDCHTTPResponse, IdentityError>, Never>?, Result<OIDCHTTPResponse, IdentityError>) = lock.withLock {
            let pending = self.continuation
            self.continuation = nil
            if let failure { return (pending, .failure(failure)) }
            if let error { return (pending, .failure(.network(error.localizedDescription))) }
            guard let http = task.response as? HTTPURLResponse else {
                return (pending, .failure(.network("no HTTP response from \(url)")))
            }
            return (pending, .success(OIDCHTTPResponse(status: http.statusCode, body: body)))
        }
        continuation?.resume(returning: result)
    }
}
