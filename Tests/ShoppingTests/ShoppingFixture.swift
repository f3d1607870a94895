import Shopping

/// A small seeded world and its index, shared by the suites. Vectors come from the hashing
/// embedder: these tests are about retrieval, ranking, filters and reasons, not about semantic
/// similarity (the CLI and server use all-MiniLM-L6-v2; `muse shopping eval` reports both).
enum ShoppingFixture {
    static let parameters = WorldGenerator.Parameters(products: 400, creators: 24, communities: 6, users: 120, seed: 7)
    static let embedder = HashingTextEmbedder(dimension: 128)

    static let world: ShoppingWorld = (try? WorldGenerator(parameters).generate()) ?? ShoppingWorld()
    static let vectors: [[Float]] = world.products.map { embedder.embed($0.embeddingText) }
    /// The index at the end of the world's time.
    static let index: RecommenderIndex? = try? RecommenderIndex(world: world, vectors: vectors, nowMs: WorldGenerator.endMs)

    static func recommender() throws -> Recommender {
        guard let index else { throw ShoppingError.invalidArgument("fixture index failed") }
        return Recommender(index: index, embedder: embedder)
    }

    /// A generated user's context, with consent as given.
    static func user(_ id: String, consent: Bool = true) -> UserContext {
        UserContext(userId: id, personalisation: consent, follows: world.follows.filter { $0.userId == id },
                    history: world.interactions.filter { $0.userId == id }.sorted { $0.createdMs < $1.createdMs },
                    preferences: world.preferences.first { $0.userId == id })
    }

    /// The generated users with the longest histories (the most personal signal), in id order.
    static var activeUsers: [String] {
        var counts: [String: Int] = [:]
        for interaction in world.interactions { counts[interaction.userId, default: 0] += 1 }
        return counts.filter { $0.value >= 15 }.keys.sorted()
    }
}
