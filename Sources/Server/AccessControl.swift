import Foundation
import Hummingbird
import PartnerAccess
import Storage

/// Who may call the API, how often, and the record of what each request used.
///
/// Modes: `required` wants a valid key on every API request; `off` wants none (and meters the
/// requests without a partner); `auto`, the default, wants keys once any key was ever created,
/// and until then lets in clients only while the server listens on loopback alone, so a fresh
/// `muse serve` works at once on one machine but is never open to a network by accident.
public final class AccessControl: Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        case auto, required, off
    }

    public let mode: Mode
    public let keys: KeyStore
    public let limiter: RateLimiter
    public let ledger: UsageLedger
    let loopbackOnly: Bool
    /// The time rate windows and usage records are taken at (tests fix it, so a minute boundary
    /// cannot fall between two requests).
    let now: @Sendable () -> Date
    /// Keys are never deleted, so once one is seen the answer stays yes without asking the store.
    private let keysSeen = Flag()

    public init(database: Database, mode: Mode, server: String, listensOnLoopbackOnly: Bool,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.mode = mode
        now = clock
        keys = KeyStore(database: database)
        limiter = RateLimiter(database: database)
        ledger = UsageLedger(database: database, server: server)
        loopbackOnly = listensOnLoopbackOnly
    }

    public static func isLoopback(host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// The key a request is made with (nil where none is needed), or the 401 that refuses it.
    func authorize(_ request: Request) async throws(APIError) -> PartnerKey? {
        if mode == .off { return nil }
        guard let header = request.headers[.authorization], !header.trimmingCharacters(in: .whitespaces).isEmpty else {
            if mode == .auto, try await anyKeyExists() == false {
                if loopbackOnly { return nil }
                throw .unauthorized("this server listens beyond loopback and no API key exists yet; "
                                    + "create one with `muse keys create --partner NAME`", code: "missing_api_key")
            }
            throw .unauthorized("You didn't provide an API key: send it as 'Authorization: Bearer KEY'", code: "missing_api_key")
        }
        guard header.lowercased().hasPrefix("bearer ") else {
            throw .unauthorized("the Authorization header must be 'Bearer KEY'", code: "invalid_api_key")
        }
        let secret = header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        let result: KeyStore.Authentication
        do { result = try await keys.authenticate(secret: secret) } catch { throw Self.storeFailure(error) }
        switch result {
        case .valid(let key):
            keysSeen.set()
            return key
        case .revoked(let key):
            throw .unauthorized("the API key \(key.prefix)... was revoked", code: "revoked_api_key")
        case .unknown:
            throw .unauthorized("Incorrect API key provided: \(secret.prefix(12))****", code: "invalid_api_key")
        }
    }

    private func anyKeyExists() async throws(APIError) -> Bool {
        if keysSeen.isSet { return true }
        do {
            let exists = try await keys.anyKeyExists()
            if exists { keysSeen.set() }
            return exists
        } catch { throw Self.storeFailure(error) }
    }

    /// The store is down: refuse (a request that cannot be metered is not served) with a 503.
    static func storeFailure(_ error: any Error) -> APIError {
        .serviceUnavailable("the key and usage store is unavailable (\(error)); retry later")
    }
}

/// A set-once flag shared between requests.
final class Flag: @unchecked Sendable {  // `value` behind `lock`
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// What one API request used, filled in while it runs: the key it came with, the model it
/// named (`checkModel`) and the tokens its generations used (`InferenceScheduler`).
public final class RequestMeter: @unchecked Sendable {  // counts behind `lock`
    @TaskLocal public static var current: RequestMeter?

    public let key: PartnerKey?
    private let lock = NSLock()
    private var outcome = UsageOutcome(status: 0)

    init(key: PartnerKey?) { self.key = key }

    func setModel(_ model: String) { lock.withLock { outcome.model = model } }

    /// One generation's tokens; the choices of one request share the prompt, counted once.
    func add(promptTokens: Int, cachedTokens: Int, completionTokens: Int) {
        lock.withLock {
            outcome.promptTokens = max(outcome.promptTokens, promptTokens)
            outcome.cachedTokens = max(outcome.cachedTokens, cachedTokens)
            outcome.completionTokens += completionTokens
        }
    }

    /// Tokens of an embedding request (each input counted).
    func addInputTokens(_ count: Int) { lock.withLock { outcome.promptTokens += count } }

    func outcome(status: Int) -> UsageOutcome {
        lock.withLock {
            var result = outcome
            result.status = status
            return result
        }
    }
}
