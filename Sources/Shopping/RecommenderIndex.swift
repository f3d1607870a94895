/// What the recommender reads for every request, built once from the world as of `nowMs`
/// (posts and interactions after it are invisible: the evaluation builds one per time split).
public final class RecommenderIndex: Sendable {
    public let products: [Product]
    public let productIndex: [String: Int]
    /// Embedding width of `vectors`.
    public let dimension: Int
    /// [products.count * dimension], row i = unit vector of products[i].
    let vectors: [Float]
    /// Interest weight summed over every user's positive interactions, per product.
    public let popularity: [Double]
    /// The same over the last `trendWindowMs` only.
    let trend: [Double]
    let maxPopularity: Double
    let maxTrend: Double
    /// Sum of `popularity`: the denominator of a product's share of all interest.
    let totalPopularity: Double
    /// Per product, one number per distinct (brand, title): equal numbers are duplicate listings.
    let listing: [Int]
    /// Product indices, most popular first.
    let popularOrder: [Int]
    /// Item-to-item co-engagement: per product, (neighbour, cosine of co-occurrence counts), strongest first.
    let coEngaged: [[(Int, Double)]]
    /// Posts visible at `nowMs`, newest first, by author.
    let postsByAuthor: [AuthorKey: [Post]]
    let postsById: [String: Post]
    /// Per author, the products its visible posts tag, each with its share of the author's tags
    /// (a creator's taste: what they keep featuring).
    let authorTags: [AuthorKey: [(product: Int, share: Double)]]
    /// Per author, the share-weighted mean of its tagged products' vectors, unit length ([dimension]).
    let authorVectors: [AuthorKey: [Float]]
    public let creators: [String: Creator]
    public let communities: [String: Community]
    public let nowMs: Int

    public struct AuthorKey: Hashable, Sendable {
        public let kind: AuthorKind
        public let id: String
    }

    /// Interactions within this many ms of each other by one user count as co-engaged (a session-sized window).
    static let coEngagementWindowMs = 3 * 86_400_000
    static let coEngagementNeighbours = 30
    /// "Trending" looks back two weeks.
    static let trendWindowMs = 14 * 86_400_000

    /// How much each kind of interaction says about interest (a purchase more than a view);
    /// relative values as commonly used for implicit feedback (Hu, Koren & Volinsky 2008 weight by confidence).
    static func interestWeight(_ kind: InteractionKind) -> Double {
        switch kind {
        case .view: return 1
        case .like: return 2
        case .save: return 3
        case .cart: return 3
        case .purchase: return 4
        case .dismiss: return 0
        }
    }

    /// `vectors`: one unit vector per product, in `world.products` order.
    /// `emptyWidth`: the vector width of an empty catalogue (no product to take it from).
    public init(world: ShoppingWorld, vectors: [[Float]], nowMs: Int, emptyWidth: Int = 1) throws(ShoppingError) {
        let width = vectors.first?.count ?? emptyWidth
        guard vectors.count == world.products.count, width > 0, vectors.allSatisfy({ $0.count == width }) else {
            throw .invalidArgument("need one embedding of equal width per product (\(vectors.count) for \(world.products.count))")
        }
        products = world.products
        dimension = width
        self.vectors = vectors.flatMap { $0 }
        self.nowMs = nowMs
        var index: [String: Int] = [:]
        for (i, product) in world.products.enumerated() { index[product.id] = i }
        productIndex = index

        var popularity = [Double](repeating: 0, count: products.count)
        var trend = popularity
        var byUser: [String: [(Int, Int)]] = [:]  // user -> (product index, time)
        for interaction in world.interactions where interaction.createdMs < nowMs && interaction.kind.isPositive {
            guard let i = index[interaction.productId] else { continue }
            popularity[i] += Self.interestWeight(interaction.kind)
            if interaction.createdMs >= nowMs - Self.trendWindowMs { trend[i] += Self.interestWeight(interaction.kind) }
            byUser[interaction.userId, default: []].append((i, interaction.createdMs))
        }
        self.popularity = popularity
        self.trend = trend
        maxPopularity = max(1, popularity.max() ?? 1)
        maxTrend = max(1, trend.max() ?? 1)
        totalPopularity = max(1, popularity.reduce(0, +))
        var listings: [String: Int] = [:]
        listing = world.products.map { product in
            let key = product.brandId + "\u{1F}" + product.title
            if let known = listings[key] { return known }
            listings[key] = listings.count
            return listings.count - 1
        }
        popularOrder = popularity.indices.sorted { popularity[$0] != popularity[$1] ? popularity[$0] > popularity[$1] : $0 < $1 }

        var pairCounts: [Int: [Int: Double]] = [:]
        for events in byUser.values {
            let sorted = events.sorted { $0.1 < $1.1 }
            for (a, first) in sorted.enumerated() {
                var b = a + 1
                while b < sorted.count, sorted[b].1 - first.1 <= Self.coEngagementWindowMs {
                    if sorted[b].0 != first.0 {
                        pairCounts[first.0, default: [:]][sorted[b].0, default: 0] += 1
                        pairCounts[sorted[b].0, default: [:]][first.0, default: 0] += 1
                    }
                    b += 1
                }
            }
        }
        var neighbours = [[(Int, Double)]](repeating: [], count: products.count)
        for (item, counts) in pairCounts {
            let scored = counts.map { other, count in (other, count / (popularity[item] * popularity[other]).squareRoot().clamped(min: 1)) }
            neighbours[item] = Array(scored.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(Self.coEngagementNeighbours))
        }
        coEngaged = neighbours

        var byAuthor: [AuthorKey: [Post]] = [:]
        var byId: [String: Post] = [:]
        for post in world.posts where post.createdMs <= nowMs {
            byAuthor[AuthorKey(kind: post.authorKind, id: post.authorId), default: []].append(post)
            byId[post.id] = post
        }
        postsByAuthor = byAuthor.mapValues { $0.sorted { $0.createdMs != $1.createdMs ? $0.createdMs > $1.createdMs : $0.id < $1.id } }
        postsById = byId
        authorTags = byAuthor.mapValues { posts in
            var counts: [Int: Double] = [:]
            for post in posts { for id in post.productIds { if let i = index[id] { counts[i, default: 0] += 1 } } }
            let total = max(1, counts.values.reduce(0, +))
            return counts.map { (product: $0.key, share: $0.value / total) }.sorted { $0.product < $1.product }
        }
        let rows = self.vectors
        authorVectors = authorTags.mapValues { tags in
            var sum = [Float](repeating: 0, count: width)
            for (i, share) in tags { for k in 0..<width { sum[k] += Float(share) * rows[i * width + k] } }
            return VectorMath.normalized(sum)
        }
        creators = Dictionary(world.creators.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        communities = Dictionary(world.communities.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Cosine similarity of two products (unit vectors).
    func similarity(_ a: Int, _ b: Int) -> Double {
        vectors.withUnsafeBufferPointer { Double(VectorMath.dot($0, a * dimension, $0, b * dimension, dimension)) }
    }

    /// Cosine similarity of every product with `query` ([dimension]); [products.count].
    func similarities(to query: [Float]) -> [Float] {
        similarities(to: [query])[0]
    }

    /// Cosine similarity of every product with each of `queries` ([dimension] each), in one pass
    /// over the matrix: at 10,000 × 384 it is 15 MB, read once for all queries instead of once
    /// each. [queries.count][products.count].
    func similarities(to queries: [[Float]]) -> [[Float]] {
        let n = products.count, width = dimension
        let flatQueries = queries.flatMap { $0.count == width ? $0 : [Float](repeating: 0, count: width) }
        // [queries.count * n], query-major.
        var out = [Float](repeating: 0, count: queries.count * n)
        vectors.withUnsafeBufferPointer { matrix in
            flatQueries.withUnsafeBufferPointer { q in
                out.withUnsafeMutableBufferPointer { result in
                    for i in 0..<n {
                        for j in 0..<queries.count { result[j * n + i] = VectorMath.dot(matrix, i * width, q, j * width, width) }
                    }
                }
            }
        }
        return queries.indices.map { Array(out[$0 * n..<($0 + 1) * n]) }
    }

    /// The row of product `i` ([dimension]).
    func vector(_ i: Int) -> ArraySlice<Float> { vectors[i * dimension..<(i + 1) * dimension] }

    /// The weighted mean of some products' vectors and of other vectors ([dimension] each), made unit length.
    func profile(_ weighted: [(Int, Double)], and others: [([Float], Double)] = []) -> [Float]? {
        guard !weighted.isEmpty || !others.isEmpty else { return nil }
        var sum = [Float](repeating: 0, count: dimension)
        for (i, weight) in weighted {
            for k in 0..<dimension { sum[k] += Float(weight) * vectors[i * dimension + k] }
        }
        for (vector, weight) in others where vector.count == dimension {
            for k in 0..<dimension { sum[k] += Float(weight) * vector[k] }
        }
        return VectorMath.normalized(sum)
    }

    public func post(_ id: String) -> Post? { postsById[id] }

    /// "@ana" for a creator, "the Boho Living community" for a community.
    public func authorName(_ post: Post) -> String {
        switch post.authorKind {
        case .creator: return creators[post.authorId].map { "@" + $0.handle } ?? post.authorId
        case .community: return communities[post.authorId].map { "the \($0.name) community" } ?? post.authorId
        }
    }
}

extension Double {
    func clamped(min lower: Double) -> Double { Swift.max(lower, self) }
}
