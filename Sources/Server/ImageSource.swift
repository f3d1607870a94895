import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Where an `image_url` part's bytes come from: a `data:` URL, or an http(s) URL fetched with a
/// timeout, a size cap, few redirects and no way into the server's own network (SSRF).
public struct ImageSource: Sendable {
    public struct Policy: Sendable {
        public var timeout: TimeInterval
        public var maxBytes: Int
        public var maxRedirects: Int
        /// Tests only: lets an http(s) URL reach 127.0.0.0/8 and ::1 (a test server on loopback).
        /// Private, link-local and every other non-public range stay refused.
        public var allowLoopback: Bool

        public init(timeout: TimeInterval, maxBytes: Int, maxRedirects: Int, allowLoopback: Bool = false) {
            self.timeout = timeout
            self.maxBytes = maxBytes
            self.maxRedirects = maxRedirects
            self.allowLoopback = allowLoopback
        }

        /// Image hosts answer within seconds; ten bounds how long a request can be held by a slow
        /// one. Three redirects cover CDN hops; the byte cap is the decoder's own.
        public static let standard = Policy(timeout: 10, maxBytes: 20 << 20, maxRedirects: 3)
    }

    /// Why an image URL gave no bytes; the message is shown to the caller as a 400.
    public struct Failure: Error, Equatable, Sendable {
        public let message: String
    }

    public let policy: Policy

    public init(policy: Policy = .standard) {
        self.policy = policy
    }

    public func bytes(for url: String) async throws(Failure) -> [UInt8] {
        if url.hasPrefix("data:") { return try dataURLBytes(url) }
        guard var current = URL(string: url) else { throw Failure(message: "image_url is not a valid URL") }
        for _ in 0...policy.maxRedirects {
            try await checkDestination(current)
            let answer = try await fetchOnce(current)
            switch answer {
            case .body(let bytes): return bytes
            case .redirect(let location):
                guard let next = URL(string: location, relativeTo: current)?.absoluteURL else {
                    throw Failure(message: "image URL redirected to an invalid location")
                }
                current = next
            }
        }
        throw Failure(message: "image URL redirected more than \(policy.maxRedirects) times")
    }

    /// `data:[<media type>][;base64],<payload>`; only base64 payloads carry binary images.
    func dataURLBytes(_ url: String) throws(Failure) -> [UInt8] {
        guard let comma = url.firstIndex(of: ",") else { throw Failure(message: "data URL has no ',' before its payload") }
        let header = url[url.index(url.startIndex, offsetBy: 5)..<comma]
        guard header.split(separator: ";").last == "base64" else {
            throw Failure(message: "data URL must be base64-encoded (data:image/png;base64,...)")
        }
        let payload = url[url.index(after: comma)...]
        // Four base64 characters carry three bytes: refuse before decoding anything too large.
        if payload.utf8.count / 4 * 3 > policy.maxBytes {
            throw Failure(message: "image is over the limit of \(policy.maxBytes) bytes")
        }
        // Line breaks are allowed in base64 text (RFC 2045); anything else outside the alphabet is not.
        guard let data = Data(base64Encoded: String(payload.filter { !$0.isWhitespace })) else {
            throw Failure(message: "data URL payload is not valid base64")
        }
        return [UInt8](data)
    }

    /// http(s) only, and every address the host resolves to must be public (or loopback under the
    /// test override). The resolver runs again at connect time, so a DNS answer that changes in
    /// between (rebinding) is not caught here; redirects are re-checked hop by hop.
    func checkDestination(_ url: URL) async throws(Failure) {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw Failure(message: "image_url must be a data: URL or an http(s) URL")
        }
        guard let host = url.host, !host.isEmpty else { throw Failure(message: "image URL has no host") }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let addresses = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: NetworkAddress.resolve(bare)) }
        }
        guard !addresses.isEmpty else { throw Failure(message: "image URL host '\(host)' does not resolve") }
        for address in addresses where !address.isPublicUnicast && !(policy.allowLoopback && address.isLoopback) {
            throw Failure(message: "image URL host '\(host)' resolves to \(address), a non-public address")
        }
    }

    enum Answer: Sendable {
        case body([UInt8])
        case redirect(String)
    }

    private func fetchOnce(_ url: URL) async throws(Failure) -> Answer {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = policy.timeout
        configuration.timeoutIntervalForResource = policy.timeout
        let collector = CappedImageCollector(limit: policy.maxBytes)
        let session = URLSession(configuration: configuration, delegate: collector, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: policy.timeout)
        request.setValue("image/*", forHTTPHeaderField: "Accept")
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                collector.start(session.dataTask(with: request), continuation: continuation)
            }
        } onCancel: {
            collector.cancel()
        }
        let response = try result.get()
        if (300..<400).contains(response.status) {
            guard let location = response.location else { throw Failure(message: "image URL redirected without a Location") }
            return .redirect(location)
        }
        guard response.status == 200 else { throw Failure(message: "image URL answered HTTP \(response.status)") }
        return .body(response.body)
    }
}

/// One response: its status, a redirect's target, the body up to the cap.
private struct FetchedResponse: Sendable {
    let status: Int
    let location: String?
    let body: [UInt8]
}

/// Accumulates one task's body, refusing more than the cap while it arrives, and never follows a
/// redirect itself (each hop is checked by `ImageSource` first).
private final class CappedImageCollector: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    typealias Completion = CheckedContinuation<Result<FetchedResponse, ImageSource.Failure>, Never>
    // Every mutable member is guarded by `lock`; URLSession calls the delegate on its own queue.
    private let lock = NSLock()
    private let limit: Int
    private var body = Data()
    private var task: URLSessionTask?
    private var continuation: Completion?
    private var failure: ImageSource.Failure?

    init(limit: Int) { self.limit = limit }

    func start(_ task: URLSessionDataTask, continuation: Completion) {
        lock.withLock { (self.task, self.continuation) = (task, continuation) }
        task.resume()
    }

    func cancel() {
        lock.withLock {
            if failure == nil { failure = ImageSource.Failure(message: "image fetch cancelled") }
            return task
        }?.cancel()
    }

    private var tooLarge: ImageSource.Failure { .init(message: "image at the URL is over the limit of \(limit) bytes") }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        let over = response.expectedContentLength > Int64(limit)
        if over { lock.withLock { failure = tooLarge } }
        completionHandler(over ? .cancel : .allow)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        completionHandler(nil)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let overflow = lock.withLock {
            body.append(data)
            guard body.count > limit else { return false }
            failure = tooLarge
            return true
        }
        if overflow { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let (pending, result): (Completion?, Result<FetchedResponse, ImageSource.Failure>) = lock.withLock {
            let pending = continuation
            continuation = nil
            if let failure { return (pending, .failure(failure)) }
            if let timeout = error as? URLError, timeout.code == .timedOut {
                return (pending, .failure(.init(message: "image URL did not answer within the time limit")))
            }
            if let error { return (pending, .failure(.init(message: "image fetch failed: \(error.localizedDescription)"))) }
            guard let http = task.response as? HTTPURLResponse else {
                return (pending, .failure(.init(message: "image URL gave no HTTP response")))
            }
            let location = http.value(forHTTPHeaderField: "Location")
            return (pending, .success(FetchedResponse(status: http.statusCode, location: location, body: [UInt8](body))))
        }
        pending?.resume(returning: result)
    }
}
