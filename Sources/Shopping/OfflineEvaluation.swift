import Foundation

/// Time-split offline evaluation: everything before the cut is known, each user's new products
/// engaged with after it are the targets; recall@k and NDCG@k of our recommender beside a
/// popularity baseline and a follow-graph-only baseline.
public struct OfflineEvaluation: Sendable {
    public struct Scores: Sendable, Equatable {
        public var recall = 0.0
        public var ndcg = 0.0
        public init(recall: Double = 0, ndcg: Double = 0) { self.recall = recall; self.ndcg = ndcg }
    }

    public struct Result: Sendable {
        public let k: Int
        public let users: Int
        public let cutMs: Int
        public let ours: Scores
        public let popularity: Scores
        public let followGraph: Scores
    }

    /// One time split: the index as of the cut, the users' known context, their targets.
    public struct Split: Sendable {
        public let cutMs: Int
        public let index: RecommenderIndex
        public let users: [UserContext]
        /// Product indices per evaluated user, same order as `users`.
        public let targets: [Set<Int>]
    }

    /// The last interactions held out: the cut is the `fraction` quantile of interaction times.
    /// Users are all treated as consenting here (the data is generated); at most `maxUsers`
    /// users with targets are kept, in id order.
    public static func split(_ world: ShoppingWorld, vectors: [[Float]], fraction: Double, maxUsers: Int) throws(ShoppingError) -> Split {
        let times = world.interactions.map(\.createdMs).sorted()
        guard !times.isEmpty, fraction > 0, fraction < 1 else { throw .invalidArgument("the world has no interactions to split") }
        let cut = times[min(times.count - 1, Int(Double(times.count) * fraction))]
        var known = world
        known.interactions = world.interactions.filter { $0.createdMs < cut }
        let index = try RecommenderIndex(world: known, vectors: vectors, nowMs: cut)
        var history: [String: [Interaction]] = [:]
        for interaction in known.interactions { history[interaction.userId, default: []].append(interaction) }
        var later: [String: Set<Int>] = [:]
        for interaction in world.interactions where interaction.createdMs >= cut && interaction.kind.isPositive {
            guard let i = index.productIndex[interaction.productId] else { continue }
            later[interaction.userId, default: []].insert(i)
        }
        var follows: [String: [Follow]] = [:]
        for follow in world.follows where follow.createdMs < cut { follows[follow.userId, default: []].append(follow) }
        let preferences = Dictionary(world.preferences.map { ($0.userId, $0) }, uniquingKeysWith: { first, _ in first })
        var users: [UserContext] = [], targets: [Set<Int>] = []
        for userId in later.keys.sorted() where users.count < maxUsers {
            let past = history[userId] ?? []
            let seen = Set(past.compactMap { index.productIndex[$0.productId] })
            let fresh = (later[userId] ?? []).subtracting(seen)
            guard !fresh.isEmpty else { continue }
            users.append(UserContext(userId: userId, personalisation: true, follows: follows[userId] ?? [], history: past,
                                     preferences: preferences[userId]))
            targets.append(fresh)
        }
        return Split(cutMs: cut, index: index, users: users, targets: targets)
    }

    /// recall@k (share of the targets found) and NDCG@k (binary gains, log2 discount) of one list.
    public static func metrics(ranked: [Int], relevant: Set<Int>, k: Int) -> Scores {
        guard !relevant.isEmpty else { return Scores() }
        let top = ranked.prefix(k)
        var dcg = 0.0
        for (position, item) in top.enumerated() where relevant.contains(item) { dcg += 1 / log2(Double(position + 2)) }
        let ideal = (0..<min(k, relevant.count)).reduce(0.0) { $0 + 1 / log2(Double($1 + 2)) }
        return Scores(recall: Double(top.filter(relevant.contains).count) / Double(relevant.count), ndcg: dcg / ideal)
    }

    /// Mean scores of `rank` over the split's users.
    public static func score(_ split: Split, k: Int, rank: (UserContext) throws -> [Int]) rethrows -> Scores {
        var total = Scores()
        for (user, targets) in zip(split.users, split.targets) {
            let one = metrics(ranked: try rank(user), relevant: targets, k: k)
            total.recall += one.recall
            total.ndcg += one.ndcg
        }
        let n = Double(max(1, split.users.count))
        return Scores(recall: total.recall / n, ndcg: total.ndcg / n)
    }

    /// The most engaged-with products the user has not seen.
    public static func popularityBaseline(_ split: Split, _ user: UserContext, k: Int) -> [Int] {
        let seen = Set(user.history.compactMap { split.index.productIndex[$0.productId] })
        return Array(split.index.popularOrder.lazy.filter { !seen.contains($0) }.prefix(k))
    }

    /// Products tagged in followed authors' posts of the last 30 days, newest post first.
    public static func followGraphBaseline(_ split: Split, _ user: UserContext, k: Int) -> [Int] {
        let index = split.index
        let seen = Set(user.history.compactMap { index.productIndex[$0.productId] })
        let posts = user.follows.flatMap { follow -> [Post] in
            guard let kind = AuthorKind(rawValue: follow.targetKind.rawValue) else { return [] }
            return index.postsByAuthor[.init(kind: kind, id: follow.targetId)] ?? []
        }.filter { split.cutMs - $0.createdMs <= Recommender.followWindowMs }
            .sorted { $0.createdMs != $1.createdMs ? $0.createdMs > $1.createdMs : $0.id < $1.id }
        var out: [Int] = [], taken = Set<Int>()
        for post in posts {
            for id in post.productIds {
                guard let i = index.productIndex[id], !seen.contains(i), taken.insert(i).inserted else { continue }
                out.append(i)
            }
        }
        return Array(out.prefix(k))
    }

    public static func evaluate(_ split: Split, embedder: any TextEmbedding, weights: RankingWeights, k: Int) throws -> Result {
        let recommender = Recommender(index: split.index, embedder: embedder, weights: weights)
        let ours = try score(split, k: k) { user in
            try recommender.recommend(for: user, RecommendationRequest(limit: k)).compactMap { split.index.productIndex[$0.product.id] }
        }
        return Result(k: k, users: split.users.count, cutMs: split.cutMs, ours: ours,
                      popularity: score(split, k: k) { popularityBaseline(split, $0, k: k) },
                      followGraph: score(split, k: k) { followGraphBaseline(split, $0, k: k) })
    }
}

/// Fits the ranking weights by coordinate ascent on NDCG@k of a validation split: one weight at
/// a time tries each value of `grid`, keeping the best, for `passes` rounds over all weights.
/// Candidates and their features do not depend on the weights, so each user's are retrieved
/// once and only the ranking (score, listings, MMR) reruns per trial.
/// The query weight is left as given: the held-out interactions come without search text.
public enum WeightFitter {
    public static let grid = [0.0, 0.25, 0.5, 1, 2, 4, 8]
    static let queryWeight = 7

    public static func fit(_ split: OfflineEvaluation.Split, embedder: any TextEmbedding, start: RankingWeights = .standard,
                           k: Int, passes: Int = 2, grid: [Double] = WeightFitter.grid) -> (weights: RankingWeights, ndcg: Double) {
        var recommender = Recommender(index: split.index, embedder: embedder, weights: start)
        let sets = split.users.map { recommender.retrieve($0.usable, RecommendationRequest(limit: k), queryVector: nil, now: split.cutMs) }
        func ndcg() -> Double {
            var total = 0.0
            for (set, targets) in zip(sets, split.targets) {
                let ranked = recommender.rank(set).compactMap { split.index.productIndex[$0.product.id] }
                total += OfflineEvaluation.metrics(ranked: ranked, relevant: targets, k: k).ndcg
            }
            return total / Double(max(1, sets.count))
        }
        var best = ndcg()
        for _ in 0..<passes {
            for feature in 0..<RankingFeatures.count where feature != queryWeight {
                let kept = recommender.weights.values[feature]
                var chosen = kept
                for value in grid where value != kept {
                    recommender.weights.values[feature] = value
                    let result = ndcg()
                    if result > best { best = result; chosen = value }
                }
                recommender.weights.values[feature] = chosen
            }
        }
        return (recommender.weights, best)
    }
}
