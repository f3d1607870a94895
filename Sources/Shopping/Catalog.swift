/// The shopping world's records, as stored (Sources/Storage/Schema.swift, migration 2) and
/// imported (JSONL, snake_case keys). Prices are integer cents; times are milliseconds since 1970.

public enum ProductCategory: String, Codable, CaseIterable, Sendable {
    case fashion, beauty, home, grocery
}

public struct Brand: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public init(id: String, name: String) { self.id = id; self.name = name }
}

public struct Product: Codable, Sendable, Equatable {
    public var id: String
    public var brandId: String
    public var title: String
    public var description: String
    public var category: ProductCategory
    public var colour: String?
    public var material: String?
    /// Sizes it comes in; empty for one-size items.
    public var sizes: [String]
    public var priceCents: Int
    /// ISO 4217 code.
    public var currency: String
    public var stock: Int
    /// Where it ships: EU, UK or US.
    public var region: String
    public var imageUrl: String?
    public var createdMs: Int

    public init(id: String, brandId: String, title: String, description: String, category: ProductCategory,
                colour: String?, material: String?, sizes: [String], priceCents: Int, currency: String, stock: Int,
                region: String, imageUrl: String?, createdMs: Int) {
        self.id = id; self.brandId = brandId; self.title = title; self.description = description
        self.category = category; self.colour = colour; self.material = material; self.sizes = sizes
        self.priceCents = priceCents; self.currency = currency; self.stock = stock; self.region = region
        self.imageUrl = imageUrl; self.createdMs = createdMs
    }

    /// What the embedder reads for this product.
    public var embeddingText: String {
        [title, category.rawValue, colour, material, description].compactMap { $0 }.joined(separator: ". ")
    }

    /// "€49.00"-style price for answers; the amount comes from the catalogue, never from a model.
    public var formattedPrice: String { Money.format(cents: priceCents, currency: currency) }
}

public enum Money {
    /// The symbols answers write for the catalogue's currencies; others are written as their code.
    public static let symbols = ["EUR": "€", "GBP": "£", "USD": "$"]

    public static func format(cents: Int, currency: String) -> String {
        let symbol = symbols[currency]
        return symbol.map { $0 + amount(cents: cents) } ?? amount(cents: cents) + " " + currency
    }

    /// The amount alone, "37.49".
    public static func amount(cents: Int) -> String { "\(cents / 100).\(String(format: "%02d", cents % 100))" }
}

public struct Creator: Codable, Sendable, Equatable {
    public var id: String
    /// Shown as @handle.
    public var handle: String
    public var name: String
    public var style: String
    public init(id: String, handle: String, name: String, style: String) {
        self.id = id; self.handle = handle; self.name = name; self.style = style
    }
}

public struct Community: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var topic: String
    public init(id: String, name: String, topic: String) { self.id = id; self.name = name; self.topic = topic }
}

public enum AuthorKind: String, Codable, Sendable { case creator, community }

/// A creator's or community's styling post, tagging the products it shows.
public struct Post: Codable, Sendable, Equatable {
    public var id: String
    public var authorKind: AuthorKind
    public var authorId: String
    public var title: String
    public var body: String
    public var productIds: [String]
    /// A paid partnership or affiliate post: recommendations drawn from it say so.
    public var sponsored: Bool
    public var createdMs: Int
    public init(id: String, authorKind: AuthorKind, authorId: String, title: String, body: String, productIds: [String],
                sponsored: Bool, createdMs: Int) {
        self.id = id; self.authorKind = authorKind; self.authorId = authorId; self.title = title; self.body = body
        self.productIds = productIds; self.sponsored = sponsored; self.createdMs = createdMs
    }
}

public enum FollowTarget: String, Codable, Sendable { case creator, community, brand }

public struct Follow: Codable, Sendable, Equatable, Hashable {
    public var userId: String
    public var targetKind: FollowTarget
    public var targetId: String
    public var createdMs: Int
    public init(userId: String, targetKind: FollowTarget, targetId: String, createdMs: Int) {
        self.userId = userId; self.targetKind = targetKind; self.targetId = targetId; self.createdMs = createdMs
    }
}

public enum InteractionKind: String, Codable, CaseIterable, Sendable {
    case view, like, save, cart, purchase, dismiss

    /// Interest shown (everything but a dismissal).
    public var isPositive: Bool { self != .dismiss }
}

public struct Interaction: Codable, Sendable, Equatable {
    public var id: String
    public var userId: String
    public var productId: String
    public var kind: InteractionKind
    /// The post the product was seen in, when any.
    public var postId: String?
    public var createdMs: Int
    public init(id: String, userId: String, productId: String, kind: InteractionKind, postId: String?, createdMs: Int) {
        self.id = id; self.userId = userId; self.productId = productId; self.kind = kind; self.postId = postId
        self.createdMs = createdMs
    }
}

public struct ShoppingPreferences: Codable, Sendable, Equatable {
    public var userId: String
    public var sizes: [String]
    public var budgetCents: Int?
    public var region: String?
    public init(userId: String, sizes: [String], budgetCents: Int?, region: String?) {
        self.userId = userId; self.sizes = sizes; self.budgetCents = budgetCents; self.region = region
    }
}

/// A user's privacy settings (shared with the assistant: `personalisation` is the consent to
/// use their history, follows and preferences; off until they turn it on).
public struct UserSettings: Codable, Sendable, Equatable {
    public var userId: String
    public var personalisation: Bool
    public var updatedMs: Int
    public init(userId: String, personalisation: Bool, updatedMs: Int) {
        self.userId = userId; self.personalisation = personalisation; self.updatedMs = updatedMs
    }
}

/// Everything at once: what the generator makes, the store holds and the evaluation reads.
public struct ShoppingWorld: Sendable {
    public var brands: [Brand] = []
    public var products: [Product] = []
    public var creators: [Creator] = []
    public var communities: [Community] = []
    public var posts: [Post] = []
    public var follows: [Follow] = []
    public var interactions: [Interaction] = []
    public var preferences: [ShoppingPreferences] = []
    public var settings: [UserSettings] = []
    public init() {}
}

extension ShoppingWorld {
    /// The world's own "now": its latest post or interaction (a generated world is served as of its last day).
    public var latestActivityMs: Int {
        max(interactions.map(\.createdMs).max() ?? 0, posts.map(\.createdMs).max() ?? 0, products.map(\.createdMs).max() ?? 0)
    }
}
