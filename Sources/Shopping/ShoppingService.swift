import Foundation

/// The recommender over the store for a long-running process: the index (catalogue, posts,
/// popularity, co-engagement, vectors) is built once and rebuilt after an import; each user's
/// consent, follows, history and preferences are read fresh on every request.
public final class ShoppingService: @unchecked Sendable {  // `current` behind `lock`
    public let store: ShoppingStore
    public let embedder: any TextEmbedding
    private let lock = NSLock()
    private var current: Recommender?
    private var brands: [String: String] = [:]

    public init(store: ShoppingStore, embedder: any TextEmbedding) {
        self.store = store
        self.embedder = embedder
    }

    /// The recommender, building the index on first use (product vectors come from the cache).
    public func recommender() async throws -> Recommender {
        if let ready = lock.withLock({ current }) { return ready }
        return try await rebuild()
    }

    /// Reads the store again: after an import, or to move the index's clock on.
    @discardableResult
    public func rebuild() async throws -> Recommender {
        let world = try await store.loadWorld()
        let vectors = try await ProductEmbeddings.load(world.products, store: store, embedder: embedder).vectors
        let index = try RecommenderIndex(world: world, vectors: vectors, nowMs: world.latestActivityMs)
        let recommender = Recommender(index: index, embedder: embedder)
        let names = Dictionary(world.brands.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        lock.withLock {
            current = recommender
            brands = names
        }
        return recommender
    }

    /// Brand names by id, for answers.
    public func brandNames() async throws -> [String: String] {
        _ = try await recommender()
        return lock.withLock { brands }
    }

    public func recommend(userId: String, _ request: RecommendationRequest) async throws -> [Recommendation] {
        let user = try await store.userContext(userId: userId)
        return try await recommender().recommend(for: user, request)
    }

    /// Records what the user did with a product (a save, a dismissal, ...).
    public func feedback(userId: String, productId: String, kind: InteractionKind, postId: String?, nowMs: Int) async throws {
        let index = try await recommender().index
        guard index.productIndex[productId] != nil else { throw ShoppingError.unknown(kind: "product", id: productId) }
        if let postId, index.post(postId) == nil { throw ShoppingError.unknown(kind: "post", id: postId) }
        try await store.record(Interaction(id: "i-" + UUID().uuidString.lowercased(), userId: userId, productId: productId, kind: kind,
                                           postId: postId, createdMs: nowMs))
    }

    /// A post with its author's name and tagged products, for its page.
    public func post(id: String) async throws -> PostDetail {
        let index = try await recommender().index
        guard let post = index.post(id) else { throw ShoppingError.unknown(kind: "post", id: id) }
        return PostDetail(post: post, author: index.authorName(post),
                          products: post.productIds.compactMap { id in index.productIndex[id].map { index.products[$0] } })
    }

    /// A catalogue product by id.
    public func product(id: String) async throws -> Product {
        let index = try await recommender().index
        guard let position = index.productIndex[id] else { throw ShoppingError.unknown(kind: "product", id: id) }
        return index.products[position]
    }

    public func importLines(_ text: String) async throws -> CatalogImporter.Report {
        let report = try await CatalogImporter(store: store).importLines(text)
        if report.total > 0 { try await rebuild() }
        return report
    }
}

/// One post as its read-only page shows it: the text, who wrote it, the products it tags.
public struct PostDetail: Sendable {
    public let post: Post
    /// "@ana" for a creator, "the Boho Living community" for a community.
    public let author: String
    /// The tagged products still in the catalogue, in the post's order.
    public let products: [Product]
}
