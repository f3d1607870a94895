import Foundation

/// Retrieval from several sources, a weighted ranking, then an MMR re-rank for diversity.
public struct Recommender: Sendable {
    public let index: RecommenderIndex
    public var weights: RankingWeights
    /// MMR's balance of relevance against novelty (1: no diversity re-rank).
    public var diversity: Double
    let embedder: any TextEmbedding

    /// Posts older than this no longer feed recommendations from follows.
    static let followWindowMs = 30 * 86_400_000
    /// Newest posts per followed author that are read.
    static let postsPerAuthor = 12
    /// A post's freshness halves roughly every five days (exp(-age/7d)); YouTube-style
    /// freshness preference (Covington et al. 2016), scale chosen for fashion posts' life.
    static let freshnessScaleMs = 7.0 * 86_400_000
    /// Recent items that shape the profile and the co-engagement look-up.
    static let recentItems = 20
    /// An item's weight in the profile halves every two weeks.
    static let historyHalfLifeMs = 14.0 * 86_400_000
    /// Candidates taken from each nearest-neighbour and popularity source.
    static let candidatesPerSource = 200
    /// The newest recent items whose own nearest neighbours are candidates too, and how many each.
    static let itemNeighbourSeeds = 3
    static let neighboursPerSeed = 50
    /// Products kept for a search: its nearest matches.
    static let queryCandidates = 60
    /// MMR looks at this many times `limit` of the best-scored candidates.
    static let rerankPoolFactor = 5
    /// MMR's λ (Carbonell & Goldstein 1998): 0.75 keeps relevance first and still breaks up runs of near-identical items.
    public static let defaultDiversity = 0.75
    /// Fit penalties: out of stock, no size the user wears, ships to another region.
    static let outOfStockFit = 0.3
    static let wrongSizeFit = 0.3
    static let otherRegionFit = 0.2
    /// Share features (taste, niche, feed, popularity) are probabilities; times 20, one slot of
    /// a 20-item list, they read on the same 0...1 scale as the others.
    static let shareScale = 20.0
    /// β of the taste weighting exp(β·z): at 1.5, a product two standard deviations closer to
    /// the profile than the catalogue's mean counts e³ ≈ 20 times its popularity. Set by hand
    /// on the generated world with the hashing embedder (1 and 2 scored within 0.01 of it).
    static let tasteSharpness = 1.5
    /// The followed authors' tastes together weigh in the profile as much as this many fresh
    /// views: what a user follows says what they like even before they engage with anything.
    static let followedAuthorWeight = 4.0
    /// exp's argument is capped so that no outlier cosine overflows a Float.
    static let maxTasteExponent: Float = 30

    public init(index: RecommenderIndex, embedder: any TextEmbedding, weights: RankingWeights = .standard,
                diversity: Double = Recommender.defaultDiversity) {
        self.index = index
        self.embedder = embedder
        self.weights = weights
        self.diversity = diversity
    }

    public func recommend(for user: UserContext, _ request: RecommendationRequest, nowMs: Int? = nil) throws(ShoppingError) -> [Recommendation] {
        let request = try request.validated()
        let queryVector: [Float]?
        do { queryVector = try request.query.map { try embedder.embed($0) } } catch { throw .embedding("\(error)") }
        if let queryVector, !index.products.isEmpty, queryVector.count != index.dimension {
            throw .embedding("the query vector has \(queryVector.count) values, the index \(index.dimension)")
        }
        return rank(retrieve(user.usable, request, queryVector: queryVector, now: nowMs ?? index.nowMs))
    }

    /// Scores, drops duplicate listings, re-ranks for diversity and explains.
    func rank(_ set: CandidateSet) -> [Recommendation] {
        var scored = set.candidates.indices.map { (position: $0, score: weights.score(set.candidates[$0].features)) }
        scored.sort { $0.score != $1.score ? $0.score > $1.score : set.candidates[$0.position].index < set.candidates[$1.position].index }
        // No duplicate listings: one product per brand and title; MMR looks at the best few only.
        var listings = Set<Int>()
        var pool: [(position: Int, score: Double)] = []
        let poolSize = set.limit * Self.rerankPoolFactor
        for item in scored where pool.count < poolSize && listings.insert(index.listing[set.candidates[item.position].index]).inserted {
            pool.append(item)
        }
        let order = DiversityReranker.mmr(scores: pool.map(\.score), count: set.limit, lambda: diversity) { a, b in
            index.similarity(set.candidates[pool[a].position].index, set.candidates[pool[b].position].index)
        }
        return order.map { position in
            let item = pool[position]
            let candidate = set.candidates[item.position]
            return Recommendation(product: index.products[candidate.index], score: item.score, features: candidate.features,
                                  reason: reason(candidate, recent: set.recent, query: set.query))
        }
    }

    /// The source that contributed most to the score (ties: follows, co-engagement, similarity, query, popularity).
    func reason(_ candidate: Candidate, recent: [RecentItem], query: String?) -> RecommendationReason {
        let w = weights.values, features = candidate.features, i = candidate.index
        var options: [(Double, () -> RecommendationReason)] = []
        if let post = candidate.post {
            options.append((w[0] * features.creatorAffinity + w[1] * features.freshness + w[11] * features.feedShare
                            + w[13] * features.followedTaste, {
                .followedPost(postId: post.id, postTitle: post.title, author: index.authorName(post), sponsored: post.sponsored)
            }))
        }
        if let with = candidate.coWith {
            options.append((w[2] * features.coEngagement, { .coEngaged(withProductId: index.products[with].id, withTitle: index.products[with].title) }))
        }
        if features.similarity > 0 || features.nearestItem > 0,
           let nearest = recent.max(by: { index.similarity(i, $0.index) < index.similarity(i, $1.index) }) {
            options.append((w[3] * features.similarity + w[8] * features.nearestItem + w[9] * features.tastePopularity
                            + w[10] * features.nichePopularity, {
                .similar(toProductId: index.products[nearest.index].id, toTitle: index.products[nearest.index].title, kind: nearest.kind)
            }))
        }
        if let query { options.append((w[7] * features.queryRelevance, { .query(query) })) }
        options.append((w[4] * features.popularity + w[5] * features.trend + w[12] * features.popularityShare,
                        { .popular(category: index.products[i].category) }))
        var best = options[0]
        for option in options.dropFirst() where option.0 > best.0 { best = option }
        return best.1()
    }

    func fit(_ product: Product, _ preferences: ShoppingPreferences?) -> Double {
        var fit = product.stock > 0 ? 1 : Self.outOfStockFit
        guard let preferences else { return fit }
        if let budget = preferences.budgetCents, product.priceCents > budget, product.priceCents > 0 {
            fit *= Double(budget) / Double(product.priceCents)
        }
        if !preferences.sizes.isEmpty, !product.sizes.isEmpty, Set(preferences.sizes).isDisjoint(with: product.sizes) {
            fit *= Self.wrongSizeFit
        }
        if let region = preferences.region, region != product.region { fit *= Self.otherRegionFit }
        return fit
    }
}

/// Maximal marginal relevance: each next item maximises λ·relevance − (1−λ)·(its highest
/// similarity to the items already chosen); relevance is the score scaled to 0...1.
public enum DiversityReranker {
    /// Positions into `scores` (sorted best first), in the order to show them.
    public static func mmr(scores: [Double], count: Int, lambda: Double, similarity: (Int, Int) -> Double) -> [Int] {
        guard let top = scores.first else { return [] }
        let low = scores.min() ?? top
        let span = top - low
        let relevance = scores.map { span > 0 ? ($0 - low) / span : 1 }
        var chosen: [Int] = []
        var maxSimilarity = [Double](repeating: -1, count: scores.count)
        var remaining = Set(scores.indices)
        while chosen.count < count, !remaining.isEmpty {
            var best = -1, bestValue = -Double.infinity
            for candidate in remaining.sorted() {
                let penalty = chosen.isEmpty ? 0 : maxSimilarity[candidate]
                let value = lambda * relevance[candidate] - (1 - lambda) * penalty
                if value > bestValue { best = candidate; bestValue = value }
            }
            chosen.append(best)
            remaining.remove(best)
            for candidate in remaining { maxSimilarity[candidate] = max(maxSimilarity[candidate], similarity(candidate, best)) }
        }
        return chosen
    }
}
