import Foundation
import Hummingbird
import PartnerAccess

/// Keys, limits and metering around every API route (`/v1/...`, `/tokenize`, `/detokenize`;
/// `/health` and `/metrics` stay open to probes). The usage record is opened before the rate
/// decision, so refusals are metered too, and closed before the body's last byte leaves, so a
/// client that has its whole answer can count on the record being committed.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = MuseRequestContext
    let access: AccessControl

    static func isMetered(_ path: String) -> Bool {
        path.hasPrefix("/v1/") || path == "/tokenize" || path == "/detokenize"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.isMetered(request.uri.path) else { return try await next(request, context) }
        let key = try await access.authorize(request)
        let started = access.now(), meter = RequestMeter(key: key)
        let recordID: String
        do { recordID = try await access.ledger.begin(key: key, endpoint: request.uri.path, now: started) }
        catch { throw AccessControl.storeFailure(error) }
        let close = UsageCloser(access: access, recordID: recordID, meter: meter)
        do {
            if let key, case .limited(let retryAfter, let reason) = try await access.limiter.admit(key, now: started) {
                throw APIError.rateLimited("Rate limit reached for key \(key.prefix)... on \(reason); retry in \(retryAfter) s",
                                           kind: reason.hasPrefix("tokens") ? "tokens" : "requests", retryAfterSeconds: retryAfter)
            }
            var response = try await RequestMeter.$current.withValue(meter) { try await next(request, context) }
            let body = response.body, status = Int(response.status.code)
            response.body = ResponseBody(contentLength: body.contentLength) { writer in
                do {
                    // Streamed bodies may start generations (Thinking starts both steps here):
                    // they are metered like the ones the handler started.
                    try await RequestMeter.$current.withValue(meter) {
                        try await body.write(ClosingWriter(inner: writer) { await close(status: status) })
                    }
                } catch {
                    await close(status: 499)  // the client went before the body was written
                    throw error
                }
            }
            return response
        } catch {
            let status = (error as? APIError)?.status.code ?? (error as? any HTTPResponseError)?.status.code ?? 500
            await close(status: Int(status))
            throw error
        }
    }
}

/// Closes a usage record once: status, model, tokens and latency, and the tokens into the key's
/// rate window. A failing store is logged, not thrown: the answer was already given.
final class UsageCloser: @unchecked Sendable {  // `closed` behind `lock`
    let access: AccessControl, recordID: String, meter: RequestMeter
    /// Latency is measured on the monotonic clock, whatever `access.now` says.
    let startInstant = ContinuousClock.now
    private let lock = NSLock()
    private var closed = false

    init(access: AccessControl, recordID: String, meter: RequestMeter) {
        self.access = access
        self.recordID = recordID
        self.meter = meter
    }

    func callAsFunction(status: Int) async {
        guard lock.withLock({ () -> Bool in defer { closed = true }; return !closed }) else { return }
        let outcome = meter.outcome(status: status), now = access.now()
        do {
            try await access.ledger.finish(recordID, outcome: outcome, latency: Self.seconds(ContinuousClock.now - startInstant), now: now)
            if let key = meter.key {
                try await access.limiter.recordTokens(outcome.promptTokens + outcome.completionTokens, for: key, now: now)
            }
        } catch {
            FileHandle.standardError.write(Data("serve: usage record \(recordID) not closed: \(error)\n".utf8))
        }
    }
}

extension UsageCloser {
    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// A body writer that runs `beforeFinish` before the last byte goes out.
struct ClosingWriter: ResponseBodyWriter {
    var inner: any ResponseBodyWriter
    let beforeFinish: @Sendable () async -> Void

    mutating func write(_ buffer: ByteBuffer) async throws { try await inner.write(buffer) }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        await beforeFinish()
        try await inner.finish(trailingHeaders)
    }
}
