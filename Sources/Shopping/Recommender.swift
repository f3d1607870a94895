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

    public init(index: RecommenderIndex, embedder: any TextEmbedding, weights: RankingWeights = .standard,
                diversity: Double = Recommender.defaultDiversity) {
        self.index = index
        self.embedder = embedder
        self.weights = weights
        self.diversity = diversity
    }

    /// Evidence for one candidate, from the sources that found it.
    struct Evidence {
        var post: Post?
        var affinity = 0.0
        var freshness = 0.0
        var coScore = 0.0
        var coWith: Int?
        var coBest = 0.0
    }

    public func recommend(for user: UserContext, _ request: RecommendationRequest, nowMs: Int? = nil) throws(ShoppingError) -> [Recommendation] {
        let request = try request.validated()
        let user = user.usable
        let now = nowMs ?? index.nowMs
        let queryVector: [Float]?
        do { queryVector = try request.query.map { try embedder.embed($0) } } catch { throw .embedding("\(error)") }
        if let queryVector, !index.products.isEmpty, queryVector.count != index.dimension {
            throw .embedding("the query vector has \(queryVector.count) values, the index \(index.dimension)")
        }

        // The user's own signals: what never comes back, recent interests, closeness to authors.
        var excluded = Set<Int>()
        var recent: [(Int, Double, InteractionKind)] = []
        var authorEngagement: [RecommenderIndex.AuthorKey: Int] = [:]
        for interaction in user.history {
            guard let i = index.productIndex[interaction.productId] else { continue }
            excluded.insert(i)
            if interaction.kind.isPositive, let post = interaction.postId.flatMap(index.post) {
                authorEngagement[.init(kind: post.authorKind, id: post.authorId), default: 0] += 1
            }
        }
        var seenRecent = Set<Int>()
        let dismissed = Set(user.history.filter { $0.kind == .dismiss }.compactMap { index.productIndex[$0.productId] })
        for interaction in user.history.reversed() where interaction.kind.isPositive && recent.count < Self.recentItems {
            guard let i = index.productIndex[interaction.productId], !dismissed.contains(i), seenRecent.insert(i).inserted else { continue }
            let age = Double(max(0, now - interaction.createdMs))
            recent.append((i, RecommenderIndex.interestWeight(interaction.kind) * pow(0.5, age / Self.historyHalfLifeMs), interaction.kind))
        }

        var evidence: [Int: Evidence] = [:]
        func admissible(_ i: Int) -> Bool { !excluded.contains(i) && request.admits(index.products[i]) }

        // Source 1: products tagged in recent posts of followed creators and communities.
        for follow in user.follows {
            let kind: AuthorKind
            switch follow.targetKind {
            case .creator: kind = .creator
            case .community: kind = .community
            case .brand: continue
            }
            let key = RecommenderIndex.AuthorKey(kind: kind, id: follow.targetId)
            let affinity = min(1, 0.5 + 0.5 * log1p(Double(authorEngagement[key] ?? 0)) / log1p(10))
            for post in (index.postsByAuthor[key] ?? []).prefix(Self.postsPerAuthor) where now - post.createdMs <= Self.followWindowMs {
                let freshness = exp(-Double(max(0, now - post.createdMs)) / Self.freshnessScaleMs)
                for id in post.productIds {
                    guard let i = index.productIndex[id], admissible(i) else { continue }
                    let current = evidence[i]
                    let better = current?.post == nil || weights.values[0] * affinity + weights.values[1] * freshness
                        > weights.values[0] * (current?.affinity ?? 0) + weights.values[1] * (current?.freshness ?? 0)
                    if better {
                        var updated = current ?? Evidence()
                        updated.post = post
                        updated.affinity = affinity
                        updated.freshness = freshness
                        evidence[i] = updated
                    }
                }
            }
        }
        // Source 2: item-to-item co-engagement with recent items.
        for (item, weight, _) in recent {
            for (neighbour, strength) in index.coEngaged[item] where admissible(neighbour) {
                var updated = evidence[neighbour] ?? Evidence()
                updated.coScore += weight * strength
                if weight * strength > updated.coBest { updated.coBest = weight * strength; updated.coWith = item }
                evidence[neighbour] = updated
            }
        }
        // Source 3: embedding neighbours of the user's profile and of the query.
        let profile = index.profile(recent.map { ($0.0, $0.1) })
        let profileSimilarity = profile.map(index.similarities)
        let querySimilarity = queryVector.map(index.similarities)
        if let profileSimilarity {
            for i in topIndices(profileSimilarity, count: Self.candidatesPerSource, where: admissible) where evidence[i] == nil {
                evidence[i] = Evidence()
            }
        }
        for (item, _, _) in recent.prefix(Self.itemNeighbourSeeds) {
            let neighbours = index.similarities(to: Array(index.vectors[item * index.dimension..<(item + 1) * index.dimension]))
            for i in topIndices(neighbours, count: Self.neighboursPerSeed, where: admissible) where evidence[i] == nil {
                evidence[i] = Evidence()
            }
        }
        // Source 4: popularity, the fallback for new and anonymous users.
        var taken = 0
        for i in index.popularOrder where taken < Self.candidatesPerSource && admissible(i) {
            if evidence[i] == nil { evidence[i] = Evidence() }
            taken += 1
        }
        // A search narrows everything to the products that match it; the other sources then
        // only re-order those (retrieve by the query, personalise the ranking).
        if let querySimilarity {
            let matches = topIndices(querySimilarity, count: Self.queryCandidates, where: admissible)
            evidence = Dictionary(uniqueKeysWithValues: matches.map { ($0, evidence[$0] ?? Evidence()) })
        }

        // Ranking.
        var scored: [(index: Int, score: Double, features: RankingFeatures, evidence: Evidence)] = []
        scored.reserveCapacity(evidence.count)
        for (i, found) in evidence {
            var features = RankingFeatures()
            if found.post != nil { features.creatorAffinity = found.affinity; features.freshness = found.freshness }
            features.coEngagement = 1 - exp(-found.coScore)
            features.similarity = Double(max(0, profileSimilarity?[i] ?? 0))
            features.popularity = log1p(index.popularity[i]) / log1p(index.maxPopularity)
            features.trend = log1p(index.trend[i]) / log1p(index.maxTrend)
            features.fit = fit(index.products[i], user.preferences)
            features.queryRelevance = Double(max(0, querySimilarity?[i] ?? 0))
            features.nearestItem = max(0, recent.map { index.similarity(i, $0.0) }.max() ?? 0)
            features.tastePopularity = features.similarity * features.popularity
            scored.append((i, weights.score(features), features, found))
        }
        scored.sort { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }

        // No duplicate listings: one product per brand and title.
        var listings = Set<String>()
        scored = scored.filter { listings.insert(index.products[$0.index].brandId + "\u{1F}" + index.products[$0.index].title).inserted }
        let pool = Array(scored.prefix(request.limit * Self.rerankPoolFactor))
        let order = DiversityReranker.mmr(scores: pool.map(\.score), count: request.limit, lambda: diversity) { a, b in
            index.similarity(pool[a].index, pool[b].index)
        }
        return order.map { position in
            let item = pool[position]
            return Recommendation(product: index.products[item.index], score: item.score, features: item.features,
                                  reason: reason(item.index, item.features, item.evidence, recent: recent, query: request.query))
        }
    }

    /// The source that contributed most to the score (ties: follows, co-engagement, similarity, query, popularity).
    func reason(_ i: Int, _ features: RankingFeatures, _ found: Evidence, recent: [(Int, Double, InteractionKind)],
                query: String?) -> RecommendationReason {
        let w = weights.values
        var options: [(Double, () -> RecommendationReason)] = []
        if let post = found.post {
            options.append((w[0] * features.creatorAffinity + w[1] * features.freshness, {
                .followedPost(postId: post.id, postTitle: post.title, author: index.authorName(post), sponsored: post.sponsored)
            }))
        }
        if let with = found.coWith {
            options.append((w[2] * features.coEngagement, { .coEngaged(withProductId: index.products[with].id, withTitle: index.products[with].title) }))
        }
        if features.similarity > 0 || features.nearestItem > 0,
           let nearest = recent.max(by: { index.similarity(i, $0.0) < index.similarity(i, $1.0) }) {
            options.append((w[3] * features.similarity + w[8] * features.nearestItem + w[9] * features.tastePopularity, {
                .similar(toProductId: index.products[nearest.0].id, toTitle: index.products[nearest.0].title, kind: nearest.2)
            }))
        }
        if let query { options.append((w[7] * features.queryRelevance, { .query(query) })) }
        options.append((w[4] * features.popularity + w[5] * features.trend, { .popular(category: index.products[i].category) }))
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

    /// The `count` indices with the highest values among those `admit` accepts, best first.
    func topIndices(_ values: [Float], count: Int, where admit: (Int) -> Bool) -> [Int] {
        let accepted = values.indices.filter(admit)
        return Array(accepted.sorted { values[$0] != values[$1] ? values[$0] > values[$1] : $0 < $1 }.prefix(count))
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
