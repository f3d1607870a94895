/// A recommended product as the API, the chat and the web page show it: the catalogue's own
/// title and price, the reason, the post the reason cites and the sponsored label. The web
/// assistant stores the cards with the answer that showed them, so a card keeps the price it was
/// shown at. Keys are the API's snake_case.
public struct ProductCard: Codable, Sendable, Equatable {
    public var productId: String
    public var title: String
    public var brandId: String
    /// The brand's name; nil when the catalogue has none for `brandId`.
    public var brand: String?
    public var category: String
    /// "€49.00": `priceCents` in `currency`, formatted by `Money`.
    public var price: String
    public var priceCents: Int
    public var currency: String
    public var inStock: Bool
    /// The catalogue's image field, as imported (the generated world's point nowhere real).
    public var imageUrl: String?
    public var reason: String
    /// Which source the reason names: followed_post, co_engagement, similar_item, query, popular.
    public var source: String
    /// Shown because of a paid partnership or affiliate post: always labelled.
    public var sponsored: Bool
    /// The creator's or community's post the reason cites.
    public var postId: String?
    public var score: Double

    public init(_ item: Recommendation, brand: String?) {
        productId = item.product.id
        title = item.product.title
        brandId = item.product.brandId
        self.brand = brand
        category = item.product.category.rawValue
        price = item.product.formattedPrice
        priceCents = item.product.priceCents
        currency = item.product.currency
        inStock = item.product.stock > 0
        imageUrl = item.product.imageUrl
        reason = item.reason.text
        source = item.reason.source
        sponsored = item.sponsored
        postId = item.postId
        score = item.score
    }

    enum CodingKeys: String, CodingKey {
        case productId = "product_id", title, brandId = "brand_id", brand, category, price, priceCents = "price_cents", currency
        case inStock = "in_stock", imageUrl = "image_url", reason, source, sponsored, postId = "post_id", score
    }
}
