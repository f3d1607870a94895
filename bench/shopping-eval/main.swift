import Foundation

/// Offline evaluation on a generated world held in memory, optimised build, no store: the same
/// split and metrics as `muse shopping eval --embedder hashing`, for quick iterations on the ranking.
@main
struct ShoppingEvalBench {
    static func main() throws {
        let a = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        let products = a.first ?? 3_000, creators = a.count > 1 ? a[1] : 120, communities = a.count > 2 ? a[2] : 20
        let usersN = a.count > 3 ? a[3] : 600, seed = a.count > 4 ? a[4] : 7, evalUsers = a.count > 5 ? a[5] : 300
        let embedder = HashingTextEmbedder(dimension: 256)
        var started = Date()
        let world = try WorldGenerator(.init(products: products, creators: creators, communities: communities, users: usersN,
                                             seed: UInt64(seed))).generate()
        let vectors = world.products.map { embedder.embed($0.embeddingText) }
        let split = try OfflineEvaluation.split(world, vectors: vectors, fraction: 0.85, maxUsers: evalUsers)
        print(String(format: "world + split in %.1f s; %d users, %d interactions", Date().timeIntervalSince(started), split.users.count, world.interactions.count))
        if ProcessInfo.processInfo.environment["DIAG"] == "1" { diagnose(world, split, embedder) }
        var weights = RankingWeights.standard
        if ProcessInfo.processInfo.environment["FIT"] == "1" {
            // As `muse shopping eval --fit`: a validation split inside the known interactions.
            var known = world
            known.interactions = world.interactions.filter { $0.createdMs < split.cutMs }
            let validation = try OfflineEvaluation.split(known, vectors: vectors, fraction: 0.85, maxUsers: evalUsers)
            started = Date()
            let fitted = WeightFitter.fit(validation, embedder: embedder, k: 20)
            weights = fitted.weights
            print(String(format: "fitted on %d validation users in %.1f s: NDCG@20 %.4f", validation.users.count,
                         Date().timeIntervalSince(started), fitted.ndcg))
            print("weights: " + zip(RankingWeights.names, weights.values).map { "\($0)=\($1)" }.joined(separator: " "))
        }
        started = Date()
        let result = try OfflineEvaluation.evaluate(split, embedder: embedder, weights: weights, k: 20)
        print(String(format: "eval in %.1f s", Date().timeIntervalSince(started)))
        print(String(format: "ours %.4f / %.4f  popularity %.4f / %.4f  follow %.4f / %.4f  margin follow +%.4f / +%.4f",
                     result.ours.recall, result.ours.ndcg, result.popularity.recall, result.popularity.ndcg,
                     result.followGraph.recall, result.followGraph.ndcg, result.ours.recall - result.followGraph.recall,
                     result.ours.ndcg - result.followGraph.ndcg))
    }

    static func diagnose(_ world: ShoppingWorld, _ split: OfflineEvaluation.Split, _ embedder: HashingTextEmbedder) {
        let index = split.index
        let recommender = Recommender(index: index, embedder: embedder)
        var kinds: [String: Int] = [:]
        var inCandidates = 0, total = 0, candidateCount = 0
        var byUser: [String: [Interaction]] = [:]
        for i in world.interactions where i.createdMs >= split.cutMs && i.kind.isPositive { byUser[i.userId, default: []].append(i) }
        for (user, targets) in zip(split.users, split.targets) {
            let set = recommender.retrieve(user, RecommendationRequest(limit: 20), queryVector: nil, now: split.cutMs)
            let got = Set(set.candidates.map(\.index))
            candidateCount += got.count
            for t in targets {
                total += 1
                if got.contains(t) { inCandidates += 1 }
                let first = byUser[user.userId]?.first { index.productIndex[$0.productId] == t }
                let label: String
                if let postId = first?.postId { label = index.post(postId) != nil ? "post-visible" : "post-after-cut" } else { label = "non-post" }
                kinds[label + (got.contains(t) ? " (in candidates)" : " (missed)"), default: 0] += 1
            }
        }
        // Oracle-ish: product styles read from the descriptions, the user's style mix from follows and history.
        let styleOf: [String] = index.products.map { p in p.description.components(separatedBy: "A ").last?.components(separatedBy: " piece").first ?? "" }
        var styleTotal: [String: Double] = [:]
        for i in index.products.indices { styleTotal[styleOf[i], default: 0] += index.popularity[i] + 1 }
        let authorStyle = Dictionary(uniqueKeysWithValues: world.creators.map { ($0.id, $0.style) } + world.communities.map { ($0.id, $0.topic) })
        for mode in ["follows", "history", "both"] {
            let scores = OfflineEvaluation.score(split, k: 20) { user in
                var mix: [String: Double] = [:]
                if mode != "history" { for f in user.follows { mix[authorStyle[f.targetId] ?? "", default: 0] += 1 } }
                if mode != "follows" { for h in user.history where h.kind.isPositive { if let i = index.productIndex[h.productId] { mix[styleOf[i], default: 0] += RecommenderIndex.interestWeight(h.kind) / 3 } } }
                let z = mix.values.reduce(0, +)
                let seen = Set(user.history.compactMap { index.productIndex[$0.productId] })
                let ranked = index.products.indices.filter { !seen.contains($0) }.map { i in
                    (i, (mix[styleOf[i]] ?? 0) / max(z, 1) * 0.9 * (index.popularity[i] + 1) / (styleTotal[styleOf[i]] ?? 1) + 0.1 * index.popularity[i] / index.totalPopularity)
                }.sorted { $0.1 > $1.1 }.prefix(20).map(\.0)
                return Array(ranked)
            }
            print("oracle style mix from \(mode): recall \(scores.recall) ndcg \(scores.ndcg)")
        }
        let nicheTotal: [String: Double] = {
            var t: [String: Double] = [:]
            for i in index.products.indices { t[styleOf[i] + index.products[i].category.rawValue, default: 0] += index.popularity[i] + 1 }
            return t
        }()
        for (a, b, c, d) in [(0.4, 0.3, 0.2, 0.1), (0.6, 0.2, 0.1, 0.1), (0.3, 0.3, 0.3, 0.1), (0.4, 0.4, 0.0, 0.2), (0.5, 0.2, 0.3, 0.0)] {
            let scores = OfflineEvaluation.score(split, k: 20) { user in
                let set = recommender.retrieve(user, RecommendationRequest(limit: 20), queryVector: nil, now: split.cutMs)
                var feed: [Int: Double] = [:]
                for cand in set.candidates { feed[cand.index] = cand.features.feedShare / 20 }
                var mix: [String: Double] = [:]
                for f in user.follows { mix[authorStyle[f.targetId] ?? "", default: 0] += 1 }
                let z = mix.values.reduce(0, +)
                let lastItem = user.history.last { $0.kind.isPositive }.flatMap { index.productIndex[$0.productId] }
                let niche = lastItem.map { styleOf[$0] + index.products[$0].category.rawValue }
                let seen = Set(user.history.compactMap { index.productIndex[$0.productId] })
                return index.products.indices.filter { !seen.contains($0) }.map { i -> (Int, Double) in
                    let p = index.popularity[i] + 1
                    let taste = (mix[styleOf[i]] ?? 0) / max(z, 1) * p / (styleTotal[styleOf[i]] ?? 1)
                    let key = styleOf[i] + index.products[i].category.rawValue
                    let nicheP = key == niche ? p / (nicheTotal[key] ?? 1) : 0
                    return (i, a * (feed[i] ?? 0) + b * taste + c * nicheP + d * index.popularity[i] / index.totalPopularity)
                }.sorted { $0.1 > $1.1 }.prefix(20).map(\.0)
            }
            print("oracle mixture feed \(a) taste \(b) niche \(c) global \(d): recall \(scores.recall) ndcg \(scores.ndcg)")
        }
        print("targets \(total), in candidates \(inCandidates), mean candidates \(candidateCount / max(1, split.users.count))")
        for (k, v) in kinds.sorted(by: { $0.key < $1.key }) { print("  \(k): \(v)") }
    }
}
