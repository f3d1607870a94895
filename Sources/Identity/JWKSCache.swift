import Foundation

/// A provider's JWKS, fetched once and kept; refetched when a token names a key the cached set
/// lacks (the provider rotated its keys), but not more often than `refetchCooldown`, so tokens
/// with made-up `kid`s cannot turn us into a load generator against the provider.
public actor JWKSCache {
    /// JWKS documents are a few KiB; a megabyte is generous and still bounded.
    public static let sizeLimit = 1 << 20
    /// How long a fetched set is trusted before it is fetched again regardless.
    public static let defaultMaximumAge: TimeInterval = 24 * 60 * 60
    /// The least time between two fetches caused by unknown key ids.
    public static let defaultRefetchCooldown: TimeInterval = 30

    public let url: URL
    private let transport: any HTTPTransport
    private let now: @Sendable () -> Date
    private let maximumAge: TimeInterval
    private let refetchCooldown: TimeInterval
    private var cached: (keys: JSONWebKeySet, fetchedAt: Date)?
    /// A fetch in progress, shared by concurrent callers instead of fetching once each.
    private var inFlight: Task<JSONWebKeySet, any Error>?
    public private(set) var fetchCount = 0

    public init(url: URL, transport: any HTTPTransport, now: @escaping @Sendable () -> Date = Date.init,
                maximumAge: TimeInterval = JWKSCache.defaultMaximumAge,
                refetchCooldown: TimeInterval = JWKSCache.defaultRefetchCooldown) {
        (self.url, self.transport, self.now) = (url, transport, now)
        (self.maximumAge, self.refetchCooldown) = (maximumAge, refetchCooldown)
    }

    /// The keys that may have signed a token with `keyID`: from the cached set, or from a fresh
    /// one when the cached set has none (or is stale). Empty when even the fresh set has none.
    func candidates(keyID: String?) async throws(IdentityError) -> [JSONWebKey] {
        let current = now()
        if let cached, current.timeIntervalSince(cached.fetchedAt) < maximumAge {
            let found = cached.keys.candidates(keyID: keyID)
            if !found.isEmpty || current.timeIntervalSince(cached.fetchedAt) < refetchCooldown { return found }
        }
        return try await refresh().candidates(keyID: keyID)
    }

    private func refresh() async throws(IdentityError) -> JSONWebKeySet {
        if let inFlight { return try await Self.value(of: inFlight) }
        let (url, transport) = (self.url, self.transport)
        let task = Task { () async throws -> JSONWebKeySet in
            try requireSecure(url)
            let body = try await transport.fetch(OIDCHTTPRequest(url: url, headers: ["Accept": "application/json"]),
                                                 sizeLimit: Self.sizeLimit)
            do {
                return try JSONDecoder().decode(JSONWebKeySet.self, from: body)
            } catch {
                throw IdentityError.malformedJWKS("not a JSON object with a keys array")
            }
        }
        inFlight = task
        defer { inFlight = nil }
        let keys = try await Self.value(of: task)
        fetchCount += 1
        cached = (keys, now())
        return keys
    }

    private static func value(of task: Task<JSONWebKeySet, any Error>) async throws(IdentityError) -> JSONWebKeySet {
        do {
            return try await task.value
        } catch let error as IdentityError {
            throw error
        } catch {
            throw .network("\(error)")
        }
    }
}
