import Foundation

/// One retrieved product with its features and the evidence behind its reason.
struct Candidate {
    let index: Int
    var features = RankingFeatures()
    /// The followed post that best explains it (freshest, from the closest author).
    var post: Post?
    var postStrength = -1.0
    /// The recent item it is most co-engaged with.
    var coWith: Int?
    var coBest = 0.0
}

/// A recent positive item of the user: product index, interest weight (decayed), kind.
struct RecentItem {
    let index: Int
    let weight: Double
    let kind: InteractionKind
}

/// Everything the ranking stage needs for one request; none of it depends on the weights, so the
/// weight fitter retrieves once per user and re-ranks many times.
struct CandidateSet {
    var candidates: [Candidate]
    let recent: [RecentItem]
    let query: String?
    let limit: Int
}

extension Recommender {
    /// Retrieval from all sources and every feature of every candidate. `user` is already
    /// reduced to what consent allows.
    func retrieve(_ user: UserContext, _ request: RecommendationRequest, queryVector: [Float]?, now: Int) -> CandidateSet {
        let count = index.products.count
        // The user's own signals: what never comes back, recent interests, closeness to authors.
        var excluded = [Bool](repeating: false, count: count)
        var dismissed = Set<Int>()
        var authorEngagement: [RecommenderIndex.AuthorKey: Int] = [:]
        for interaction in user.history {
            guard let i = index.productIndex[interaction.productId] else { continue }
            excluded[i] = true
            if interaction.kind == .dismiss { dismissed.insert(i) }
            if interaction.kind.isPositive, let post = interaction.postId.flatMap(index.post) {
                authorEngagement[.init(kind: post.authorKind, id: post.authorId), default: 0] += 1
            }
        }
        var recent: [RecentItem] = []
        var seenRecent = Set<Int>()
        for interaction in user.history.reversed() where interaction.kind.isPositive && recent.count < Self.recentItems {
            guard let i = index.productIndex[interaction.productId], !dismissed.contains(i), seenRecent.insert(i).inserted else { continue }
            let age = Double(max(0, now - interaction.createdMs))
            recent.append(RecentItem(index: i, weight: RecommenderIndex.interestWeight(interaction.kind) * pow(0.5, age / Self.historyHalfLifeMs),
                                     kind: interaction.kind))
        }

        // slot[i]: position of product i in `candidates`, -1 when not retrieved.
        var slot = [Int32](repeating: -1, count: count)
        var candidates: [Candidate] = []
        candidates.reserveCapacity(4 * Self.candidatesPerSource)
        func admissible(_ i: Int) -> Bool { !excluded[i] && request.admits(index.products[i]) }
        func add(_ i: Int) -> Int {
            if slot[i] >= 0 { return Int(slot[i]) }
            slot[i] = Int32(candidates.count)
            candidates.append(Candidate(index: i))
            return candidates.count - 1
        }

        // Source 1: products tagged in recent posts of followed creators and communities. Each
        // post's exposure is its freshness, split evenly among the products it tags.
        var feedMass: [Int: Double] = [:], followedTaste: [Int: Double] = [:]
        var feedTotal = 0.0
        let authors = user.follows.compactMap(Self.author)
        func affinity(_ key: RecommenderIndex.AuthorKey) -> Double {
            min(1, 0.5 + 0.5 * log1p(Double(authorEngagement[key] ?? 0)) / log1p(10))
        }
        // The post shown as a candidate's reason: the strongest (closest author, freshest), whatever the weights.
        func offer(_ post: Post, to c: Int, affinity: Double, freshness: Double) {
            guard affinity + freshness > candidates[c].postStrength else { return }
            candidates[c].post = post
            candidates[c].postStrength = affinity + freshness
            candidates[c].features.creatorAffinity = affinity
            candidates[c].features.freshness = freshness
        }
        for key in authors {
            let affinity = affinity(key)
            for post in (index.postsByAuthor[key] ?? []).prefix(Self.postsPerAuthor) where now - post.createdMs <= Self.followWindowMs {
                let freshness = exp(-Double(max(0, now - post.createdMs)) / Self.freshnessScaleMs)
                feedTotal += freshness
                for id in post.productIds {
                    guard let i = index.productIndex[id], admissible(i) else { continue }
                    feedMass[i, default: 0] += freshness / Double(post.productIds.count)
                    offer(post, to: add(i), affinity: affinity, freshness: freshness)
                }
            }
            for (i, share) in index.authorTags[key] ?? [] where admissible(i) { followedTaste[i, default: 0] += share / Double(authors.count) }
        }
        for (i, mass) in feedMass { candidates[Int(slot[i])].features.feedShare = min(1, Self.shareScale * mass / feedTotal) }
        // What the followed authors keep featuring: candidates too (the best few), with the
        // newest followed post that tags each as the reason.
        let featured = followedTaste.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(Self.candidatesPerSource)
        for (i, share) in featured {
            let c = add(i)
            candidates[c].features.followedTaste = min(1, Self.shareScale * share)
        }
        for key in authors {
            let affinity = affinity(key)
            for post in index.postsByAuthor[key] ?? [] where now - post.createdMs > Self.followWindowMs {
                for id in post.productIds {
                    guard let i = index.productIndex[id], slot[i] >= 0 else { continue }
                    offer(post, to: Int(slot[i]), affinity: affinity, freshness: exp(-Double(max(0, now - post.createdMs)) / Self.freshnessScaleMs))
                }
            }
        }

        // Source 2: item-to-item co-engagement with recent items.
        var coScore: [Int: Double] = [:]
        for item in recent {
            for (neighbour, strength) in index.coEngaged[item.index] where admissible(neighbour) {
                let c = add(neighbour)
                coScore[neighbour, default: 0] += item.weight * strength
                if item.weight * strength > candidates[c].coBest { candidates[c].coBest = item.weight * strength; candidates[c].coWith = item.index }
            }
        }
        for (i, score) in coScore { candidates[Int(slot[i])].features.coEngagement = 1 - exp(-score) }

        // Source 3: the user's taste and niche. Popularity weighted by closeness in embedding
        // space to the profile (and to each of the newest items): popular among what they like,
        // not popular anywhere.
        let followedVectors = authors.compactMap { index.authorVectors[$0] }.map { ($0, Self.followedAuthorWeight / Double(authors.count)) }
        let profile = index.profile(recent.map { ($0.index, $0.weight) }, and: followedVectors)
        let seeds = recent.prefix(Self.itemNeighbourSeeds)
        // One pass over the matrix: row 0 the profile's similarities (when there is one), then one row per seed.
        let scans = index.similarities(to: (profile.map { [$0] } ?? []) + seeds.map { Array(index.vector($0.index)) })
        let profileSimilarity = profile == nil ? nil : scans.first
        var taste: [Float]?
        if let profileSimilarity {
            let weighted = tasteWeights(profileSimilarity)
            taste = weighted
            for i in TopSelection.top(Self.candidatesPerSource, of: count, by: { weighted[$0] }, where: admissible) { _ = add(i) }
        }
        var niche: [Float]?
        for similarity in scans.dropFirst(profile == nil ? 0 : 1) {
            let weighted = tasteWeights(similarity)
            for i in TopSelection.top(Self.neighboursPerSeed, of: count, by: { weighted[$0] }, where: admissible) { _ = add(i) }
            var sum = niche ?? [Float](repeating: 0, count: count)
            for i in 0..<count { sum[i] += weighted[i] / Float(seeds.count) }
            niche = sum
        }

        // Source 4: popularity, the fallback for new and anonymous users.
        var taken = 0
        for i in index.popularOrder where taken < Self.candidatesPerSource && admissible(i) {
            _ = add(i)
            taken += 1
        }

        // A search narrows everything to the products that match it; the other sources then
        // only re-order those (retrieve by the query, personalise the ranking).
        let querySimilarity = queryVector.map(index.similarities)
        if let querySimilarity {
            let matches = TopSelection.top(Self.queryCandidates, of: count, by: { querySimilarity[$0] }, where: admissible)
            candidates = matches.map { slot[$0] >= 0 ? candidates[Int(slot[$0])] : Candidate(index: $0) }
        }

        for c in candidates.indices {
            let i = candidates[c].index
            var features = candidates[c].features
            features.similarity = Double(max(0, profileSimilarity?[i] ?? 0))
            features.popularity = log1p(index.popularity[i]) / log1p(index.maxPopularity)
            features.trend = log1p(index.trend[i]) / log1p(index.maxTrend)
            features.popularityShare = min(1, Self.shareScale * index.popularity[i] / index.totalPopularity)
            features.fit = fit(index.products[i], user.preferences)
            features.queryRelevance = Double(max(0, querySimilarity?[i] ?? 0))
            var nearest = 0.0
            for item in recent { nearest = max(nearest, index.similarity(i, item.index)) }
            features.nearestItem = nearest
            features.tastePopularity = min(1, Self.shareScale * Double(taste?[i] ?? 0))
            features.nichePopularity = min(1, Self.shareScale * Double(niche?[i] ?? 0))
            candidates[c].features = features
        }
        return CandidateSet(candidates: candidates, recent: recent, query: request.query, limit: request.limit)
    }

    /// The creator or community a follow is of (brands post nothing).
    static func author(_ follow: Follow) -> RecommenderIndex.AuthorKey? {
        switch follow.targetKind {
        case .creator: return .init(kind: .creator, id: follow.targetId)
        case .community: return .init(kind: .community, id: follow.targetId)
        case .brand: return nil
        }
    }

    /// Each product's popularity (plus one, so the unseen still count) times exp(β·z), z its
    /// similarity standardised over the catalogue; as shares summing to 1 ([products.count]).
    /// Standardising makes β mean the same for any embedder, whatever its spread of cosines.
    func tasteWeights(_ similarity: [Float]) -> [Float] {
        let n = Float(max(1, similarity.count))
        let mean = similarity.reduce(0, +) / n
        let variance = similarity.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        let scale = Float(Self.tasteSharpness) / max(variance.squareRoot(), 1e-6)
        var share = [Float](repeating: 0, count: similarity.count)
        var total: Float = 0
        share.withUnsafeMutableBufferPointer { out in
            for i in similarity.indices {
                out[i] = Float(index.popularity[i] + 1) * exp(min(Self.maxTasteExponent, scale * (similarity[i] - mean)))
                total += out[i]
            }
            if total > 0 { for i in out.indices { out[i] /= total } }
        }
        return share
    }
}

/// The best `count` of `n` indices by a score, among those admitted, best first (ties: lower
/// index first). A bounded min-heap: O(n log count), no sort of the whole catalogue.
public enum TopSelection {
    public static func top(_ count: Int, of n: Int, by score: (Int) -> Float, where admit: (Int) -> Bool) -> [Int] {
        guard count > 0 else { return [] }
        // heap[0] is the worst kept: lowest score, then highest index.
        var heap: [(score: Float, index: Int)] = []
        heap.reserveCapacity(count)
        func worse(_ a: (score: Float, index: Int), _ b: (score: Float, index: Int)) -> Bool {
            a.score != b.score ? a.score < b.score : a.index > b.index
        }
        func siftDown(_ start: Int) {
            var parent = start
            while true {
                let left = 2 * parent + 1, right = left + 1
                var target = parent
                if left < heap.count, worse(heap[left], heap[target]) { target = left }
                if right < heap.count, worse(heap[right], heap[target]) { target = right }
                if target == parent { return }
                heap.swapAt(parent, target)
                parent = target
            }
        }
        for i in 0..<n {
            let value = score(i)
            if heap.count == count, !worse(heap[0], (value, i)) { continue }
            guard admit(i) else { continue }
            if heap.count < count {
                heap.append((value, i))
                var child = heap.count - 1
                while child > 0 {
                    let parent = (child - 1) / 2
                    guard worse(heap[child], heap[parent]) else { break }
                    heap.swapAt(child, parent)
                    child = parent
                }
            } else {
                heap[0] = (value, i)
                siftDown(0)
            }
        }
        return heap.sorted { worse($1, $0) }.map(\.index)
    }
}
