import Foundation

/// The recommender's own latency, optimised build, index warm: a generated world in memory,
/// one `recommend` per user timed (retrieval, ranking, MMR). Run by bench/shopping-latency.sh.
@main
struct ShoppingLatency {
    static func main() throws {
        let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        let products = arguments.first ?? 10_000, users = arguments.dropFirst().first ?? 200
        // 384 values a vector, as all-MiniLM-L6-v2's: the dot products cost the same.
        let embedder = HashingTextEmbedder(dimension: 384)
        let world = try WorldGenerator(.init(products: products, creators: 300, communities: 40, users: 2_000, seed: 1)).generate()
        let vectors = world.products.map { embedder.embed($0.embeddingText) }
        var started = Date()
        let index = try RecommenderIndex(world: world, vectors: vectors, nowMs: world.latestActivityMs)
        print(String(format: "index over %d products built in %.2f s", products, Date().timeIntervalSince(started)))
        let recommender = Recommender(index: index, embedder: embedder)
        var histories: [String: [Interaction]] = [:]
        for interaction in world.interactions { histories[interaction.userId, default: []].append(interaction) }
        let ids = histories.keys.sorted().prefix(users)
        let contexts = ids.map { id in
            UserContext(userId: id, personalisation: true, follows: world.follows.filter { $0.userId == id }, history: histories[id] ?? [],
                        preferences: world.preferences.first { $0.userId == id })
        }
        for (name, request) in [("no query", RecommendationRequest(limit: 20)),
                                ("query 'warm wool coat' (hashing query vector)", RecommendationRequest(query: "warm wool coat", limit: 20))] {
            _ = try recommender.recommend(for: contexts[0], request)
            var times: [Double] = []
            for user in contexts {
                started = Date()
                _ = try recommender.recommend(for: user, request)
                times.append(Date().timeIntervalSince(started) * 1000)
            }
            times.sort()
            func at(_ q: Double) -> Double { times[min(times.count - 1, Int(Double(times.count) * q))] }
            print(String(format: "%@: %d users, p50 %.1f ms, p95 %.1f ms, max %.1f ms", name, times.count, at(0.5), at(0.95), times.last ?? 0))
        }
    }
}
