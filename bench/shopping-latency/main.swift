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
            // Wall time, and the thread's own CPU time: on a shared machine the gap is the time
            // other processes held the core.
            var times: [Double] = [], cpu: [Double] = []
            for user in contexts {
                started = Date()
                let cpuStart = threadCPUms()
                _ = try recommender.recommend(for: user, request)
                cpu.append(threadCPUms() - cpuStart)
                times.append(Date().timeIntervalSince(started) * 1000)
            }
            times.sort()
            cpu.sort()
            func at(_ values: [Double], _ q: Double) -> Double { values[min(values.count - 1, Int(Double(values.count) * q))] }
            print(String(format: "%@: %d users, wall p50 %.1f ms, p95 %.1f ms, max %.1f ms; thread CPU p50 %.1f ms, p95 %.1f ms",
                         name, times.count, at(times, 0.5), at(times, 0.95), times.last ?? 0, at(cpu, 0.5), at(cpu, 0.95)))
        }
        var load = [Double](repeating: 0, count: 3)
        if getloadavg(&load, 3) == 3 { print(String(format: "load average %.2f %.2f %.2f on %d cores", load[0], load[1], load[2],
                                                    ProcessInfo.processInfo.activeProcessorCount)) }
    }

    static func threadCPUms() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) * 1000 + Double(spec.tv_nsec) / 1e6
    }
}
