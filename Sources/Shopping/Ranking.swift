/// What one user brings to a request.
public struct UserContext: Sendable {
    public var userId: String
    /// Consent to use the user's follows, history and preferences (UserSettings.personalisation).
    public var personalisation: Bool
    public var follows: [Follow]
    /// Oldest first.
    public var history: [Interaction]
    public var preferences: ShoppingPreferences?

    public init(userId: String, personalisation: Bool, follows: [Follow], history: [Interaction], preferences: ShoppingPreferences?) {
        self.userId = userId; self.personalisation = personalisation; self.follows = follows; self.history = history
        self.preferences = preferences
    }

    /// What the recommender may use: everything with consent, nothing personal without it.
    public var usable: UserContext {
        personalisation ? self : UserContext(userId: userId, personalisation: false, follows: [], history: [], preferences: nil)
    }
}

/// Hard filters and the optional search text.
public struct RecommendationRequest: Sendable, Equatable {
    public var query: String?
    public var category: ProductCategory?
    public var minPriceCents: Int?
    public var maxPriceCents: Int?
    /// The currency the price bounds are in ("EUR", "USD", "GBP"), or nil: each product's own.
    /// Prices are never converted, so with a currency and a bound, products priced in another
    /// currency are left out: whether they are under "€40" cannot be told.
    public var priceCurrency: String?
    public var size: String?
    public var inStockOnly: Bool
    public var limit: Int

    public static let maxLimit = 100

    public init(query: String? = nil, category: ProductCategory? = nil, minPriceCents: Int? = nil, maxPriceCents: Int? = nil,
                size: String? = nil, inStockOnly: Bool = false, limit: Int = 20) {
        self.query = query; self.category = category; self.minPriceCents = minPriceCents; self.maxPriceCents = maxPriceCents
        self.size = size; self.inStockOnly = inStockOnly; self.limit = limit
    }

    public func validated() throws(ShoppingError) -> RecommendationRequest {
        guard (1...Self.maxLimit).contains(limit) else { throw .invalidArgument("limit must be 1...\(Self.maxLimit)") }
        if let low = minPriceCents, low < 0 { throw .invalidArgument("min_price must not be negative") }
        if let low = minPriceCents, let high = maxPriceCents, high < low { throw .invalidArgument("max_price is below min_price") }
        if let code = priceCurrency, code.count != 3 || !code.allSatisfy({ $0.isASCII && $0.isUppercase }) {
            throw .invalidArgument("currency must be a three-letter ISO 4217 code such as EUR")
        }
        var copy = self
        copy.query = query.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        return copy
    }

    func admits(_ product: Product) -> Bool {
        if let category, product.category != category { return false }
        if let priceCurrency, minPriceCents != nil || maxPriceCents != nil, product.currency != priceCurrency { return false }
        if let minPriceCents, product.priceCents < minPriceCents { return false }
        if let maxPriceCents, product.priceCents > maxPriceCents { return false }
        if let size, !product.sizes.contains(size) { return false }
        if inStockOnly, product.stock <= 0 { return false }
        return true
    }
}

/// The ranking stage's features of one (user, product) pair, each in 0...1.
public struct RankingFeatures: Sendable, Equatable {
    /// How close the user is to the followed creator or community that posted it.
    public var creatorAffinity = 0.0
    /// How recent that post is.
    public var freshness = 0.0
    /// Co-engagement with the user's recent items.
    public var coEngagement = 0.0
    /// Embedding similarity to the user's recent items.
    public var similarity = 0.0
    /// Interest across all users (log-scaled), and over the last two weeks.
    public var popularity = 0.0
    public var trend = 0.0
    /// Price, size, stock and region fit to the user's preferences.
    public var fit = 0.0
    /// Embedding similarity to the search text.
    public var queryRelevance = 0.0
    /// Similarity to the single closest recent item (a niche the profile's mean blurs).
    public var nearestItem = 0.0
    /// Its share of the user's taste: popularity weighted by closeness to the profile, as a
    /// share of all products' (scaled by `Recommender.shareScale`).
    public var tastePopularity = 0.0
    /// The same around the user's newest items (the niche they are browsing now).
    public var nichePopularity = 0.0
    /// Its share of the exposure the user's feed gives: fresh posts of followed authors that tag
    /// it, each post's attention split among its tags (scaled by `Recommender.shareScale`).
    public var feedShare = 0.0
    /// Its share of all interest on the platform (scaled by `Recommender.shareScale`).
    public var popularityShare = 0.0
    /// Its share of what the followed creators and communities have tagged over time, all posts
    /// (scaled by `Recommender.shareScale`): their taste, which their next posts will follow.
    public var followedTaste = 0.0

    static let count = 14

    subscript(index: Int) -> Double {
        switch index {
        case 0: return creatorAffinity
        case 1: return freshness
        case 2: return coEngagement
        case 3: return similarity
        case 4: return popularity
        case 5: return trend
        case 6: return fit
        case 7: return queryRelevance
        case 8: return nearestItem
        case 9: return tastePopularity
        case 10: return nichePopularity
        case 11: return feedShare
        case 12: return popularityShare
        default: return followedTaste
        }
    }
}

/// One weight per feature; the score is their dot product.
public struct RankingWeights: Sendable, Equatable, Codable {
    public var values: [Double]
    public static let names = ["creator_affinity", "freshness", "co_engagement", "similarity", "popularity", "trend", "fit",
                               "query_relevance", "nearest_item", "taste_popularity", "niche_popularity", "feed_share",
                               "popularity_share", "followed_taste"]

    public init(_ values: [Double]) { self.values = values }

    /// The weights in use, fitted by coordinate ascent (`WeightFitter`) on a validation split
    /// inside the known interactions of the world (10,000 products, 300 creators, 40
    /// communities, 2,000 users, seed 1; hashing embedder), never on the evaluation's targets:
    /// `FIT=1 bench/shopping-eval.sh 10000 300 40 2000 1 300`, the same fit as
    /// `muse shopping eval --embedder hashing --fit --users 300` on that seeded store, started from
    /// the hand-set weights (1 each; popularity, trend and fit 0.5; query 2). The query
    /// weight is not fitted (held-out interactions carry no search text): 2 so a search leads.
    public static let standard = RankingWeights([
        0.0,   // creator_affinity
        1.0,   // freshness
        0.25,  // co_engagement
        1.0,   // similarity
        0.5,   // popularity
        0.5,   // trend
        0.5,   // fit
        2.0,   // query_relevance (not fitted)
        1.0,   // nearest_item
        1.0,   // taste_popularity
        0.0,   // niche_popularity
        1.0,   // feed_share
        0.0,   // popularity_share
        2.0,   // followed_taste
    ])

    func score(_ features: RankingFeatures) -> Double {
        var total = 0.0
        for k in 0..<RankingFeatures.count { total += values[k] * features[k] }
        return total
    }
}
