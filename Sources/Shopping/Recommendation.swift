/// Why an item is recommended: always the real source whose evidence counted most in its score.
public enum RecommendationReason: Sendable, Equatable {
    /// Tagged in a recent post of a creator or community the user follows.
    case followedPost(postId: String, postTitle: String, author: String, sponsored: Bool)
    /// Often engaged with together with one of the user's recent items.
    case coEngaged(withProductId: String, withTitle: String)
    /// Close in embedding space to one of the user's recent items.
    case similar(toProductId: String, toTitle: String, kind: InteractionKind)
    /// Close to the search text.
    case query(String)
    /// Much engaged with across the platform (what a new or anonymous user gets).
    case popular(category: ProductCategory)

    /// The source's name in the API.
    public var source: String {
        switch self {
        case .followedPost: return "followed_post"
        case .coEngaged: return "co_engagement"
        case .similar: return "similar_item"
        case .query: return "query"
        case .popular: return "popular"
        }
    }

    public var text: String {
        switch self {
        case .followedPost(_, let title, let author, let sponsored):
            let place = author.hasPrefix("@") ? "\(author), who styled it in" : "\(author), where it featured in"
            return "because you follow \(place) '\(title)'" + (sponsored ? " (paid partnership)" : "")
        case .coEngaged(_, let title): return "often picked together with the \(title) you liked"
        case .similar(_, let title, let kind): return "similar to the \(title) you \(kind.pastTense)"
        case .query(let query): return "matches your search '\(query)'"
        case .popular(let category): return "popular in \(category.rawValue) right now"
        }
    }
}

extension InteractionKind {
    var pastTense: String {
        switch self {
        case .view: return "viewed"
        case .like: return "liked"
        case .save: return "saved"
        case .cart: return "put in your cart"
        case .purchase: return "bought"
        case .dismiss: return "dismissed"
        }
    }
}

/// One recommended product, with its score, features and reason.
public struct Recommendation: Sendable {
    public let product: Product
    public let score: Double
    public let features: RankingFeatures
    public let reason: RecommendationReason
    /// Shown because of a paid partnership or affiliate post: labelled as such wherever it is shown.
    public var sponsored: Bool {
        if case .followedPost(_, _, _, true) = reason { return true }
        return false
    }
    /// The creator's or community's post it comes from, for a link.
    public var postId: String? {
        if case .followedPost(let id, _, _, _) = reason { return id }
        return nil
    }
}
