import Foundation

/// A deterministic shopping world: a catalogue in four categories, creators and communities
/// with consistent styles whose posts tag products, follow graphs and interaction histories with
/// taste clusters, popularity skew and time. The same parameters and seed give the same world.
public struct WorldGenerator: Sendable {
    public struct Parameters: Sendable, Equatable {
        public var products: Int
        public var creators: Int
        public var communities: Int
        public var users: Int
        public var seed: UInt64
        public init(products: Int, creators: Int, communities: Int, users: Int, seed: UInt64) {
            self.products = products; self.creators = creators; self.communities = communities; self.users = users; self.seed = seed
        }
    }

    public let parameters: Parameters

    /// The world's clock starts on 2026-01-01 00:00 UTC and runs for `spanDays`.
    public static let startMs = 1_767_225_600_000
    public static let spanDays = 120
    static let dayMs = 86_400_000
    public static var endMs: Int { startMs + spanDays * dayMs }

    /// Pareto shape of product appeal: ~1.2 gives the long tail seen in e-commerce sales.
    static let appealShape = 1.2
    /// What drives a user's next interaction (the rest: the global bestsellers).
    static let fromFollowedPost = 0.40
    static let fromSameNiche = 0.20
    static let fromTaste = 0.30
    /// Posts a user sees from the authors they follow: the last two weeks.
    static let feedWindowMs = 14 * 86_400_000

    public init(_ parameters: Parameters) throws(ShoppingError) {
        guard parameters.products >= 10, parameters.creators >= 1, parameters.communities >= 1, parameters.users >= 1 else {
            throw .invalidArgument("a world needs at least 10 products, 1 creator, 1 community and 1 user")
        }
        self.parameters = parameters
    }

    public func generate() -> ShoppingWorld {
        var random = SeededGenerator(seed: parameters.seed)
        var world = ShoppingWorld()
        let styles = WorldVocabulary.styles
        let brandCount = max(styles.count, parameters.products / 25)
        var brandsOfStyle = [[Int]](repeating: [], count: styles.count)
        for b in 0..<brandCount {
            let style = b % styles.count
            brandsOfStyle[style].append(b)
            let word = WorldVocabulary.brandWords[(b / styles.count) % WorldVocabulary.brandWords.count]
            world.brands.append(Brand(id: String(format: "b%04d", b), name: "\(word) \(styles[style].name.capitalized) \(b / 80 + 1)"))
        }

        // Catalogue.
        var productStyle: [Int] = [], appeal: [Double] = []
        for p in 0..<parameters.products {
            let style = Int(random.next() % UInt64(styles.count))
            let category = pickCategory(&random)
            let s = styles[style]
            let noun = random.pick(WorldVocabulary.items[category] ?? []) ?? "item"
            let colour = random.pick(s.colours) ?? "black"
            let material = category == .fashion || category == .home ? random.pick(s.materials) : nil
            let adjective = random.pick(s.adjectives) ?? s.name
            let brand = world.brands[random.pick(brandsOfStyle[style]) ?? 0]
            let (region, currency) = pickRegion(&random)
            let sizes = category != .fashion ? [] : WorldVocabulary.footwear.contains(noun) ? WorldVocabulary.shoeSizes
                : (noun == "tote bag" || noun == "scarf") ? [] : WorldVocabulary.clothingSizes.filter { _ in random.chance(0.8) }
            let price = random.logNormal(median: WorldVocabulary.medianPriceCents[category] ?? 3_000, sigma: 0.6)
            world.products.append(Product(
                id: String(format: "p%05d", p), brandId: brand.id,
                title: [adjective.capitalized, colour, material, noun].compactMap { $0 }.joined(separator: " "),
                description: "\(brand.name) \(noun) in \(colour)\(material.map { " " + $0 } ?? ""). A \(s.name) piece: \(s.tagline).",
                category: category, colour: colour, material: material, sizes: sizes, priceCents: max(99, Int(price / 10) * 10 + 9),
                currency: currency, stock: random.chance(0.08) ? 0 : random.int(1...200), region: region,
                imageUrl: "https://img.example/\(String(format: "p%05d", p)).jpg",
                createdMs: Self.startMs + random.int(0...(Self.spanDays * Self.dayMs / 2))))
            productStyle.append(style)
            appeal.append(random.pareto(alpha: Self.appealShape))
        }
        let productIndex = Dictionary(uniqueKeysWithValues: world.products.enumerated().map { ($1.id, $0) })
        let byStyle = styles.indices.map { style in WeightedPicker(items: productStyle.indices.filter { productStyle[$0] == style }) { appeal[$0] } }
        var byNiche: [String: WeightedPicker] = [:]
        for style in styles.indices {
            for category in ProductCategory.allCases {
                let items = productStyle.indices.filter { productStyle[$0] == style && world.products[$0].category == category }
                byNiche["\(style)/\(category.rawValue)"] = WeightedPicker(items: items) { appeal[$0] }
            }
        }
        let everything = WeightedPicker(items: Array(world.products.indices)) { appeal[$0] }

        // Creators and communities, each with one style, posting through the whole span.
        var authorStyle: [RecommenderIndex.AuthorKey: Int] = [:]
        for c in 0..<parameters.creators {
            let style = c % styles.count
            let handle = (WorldVocabulary.firstNames[c % WorldVocabulary.firstNames.count]) + "_" + styles[style].name + "\(c)"
            world.creators.append(Creator(id: String(format: "c%04d", c), handle: handle, name: handle.capitalized, style: styles[style].name))
            authorStyle[.init(kind: .creator, id: world.creators[c].id)] = style
        }
        for g in 0..<parameters.communities {
            let style = (g * 3) % styles.count
            world.communities.append(Community(id: String(format: "g%03d", g), name: "\(styles[style].name.capitalized) Circle \(g)",
                                               topic: styles[style].name))
            authorStyle[.init(kind: .community, id: world.communities[g].id)] = style
        }
        var postsByAuthor: [RecommenderIndex.AuthorKey: [Post]] = [:]
        for (key, style) in authorStyle.sorted(by: { $0.key.id < $1.key.id }) {
            let count = key.kind == .creator ? random.int(15...30) : random.int(30...60)
            for n in 0..<count {
                let sponsored = key.kind == .creator && random.chance(0.12)
                var tags = Set<Int>()
                for _ in 0..<random.int(1...4) {
                    let picker = random.chance(0.85) ? byStyle[style] : everything
                    if let item = picker.pick(&random) { tags.insert(item) }
                }
                let post = Post(id: "\(key.id)-\(n)", authorKind: key.kind, authorId: key.id,
                                title: random.pick(WorldVocabulary.postThemes) ?? "New in",
                                body: "My \(styles[style].name) picks: \(styles[style].tagline).",
                                productIds: tags.sorted().map { world.products[$0].id }, sponsored: sponsored,
                                createdMs: Self.startMs + random.int(0...(Self.spanDays * Self.dayMs - 1)))
                world.posts.append(post)
                postsByAuthor[key, default: []].append(post)
            }
        }

        // Users: one or two tastes, follows mostly within them, then a history.
        var interactionCount = 0
        for u in 0..<parameters.users {
            let userId = String(format: "u%05d", u)
            let primary = Int(random.next() % UInt64(styles.count))
            let tastes = random.chance(0.4) ? [primary, Int(random.next() % UInt64(styles.count))] : [primary]
            let (region, _) = pickRegion(&random)
            let budget = Int(random.logNormal(median: 6_000, sigma: 0.5))
            world.preferences.append(ShoppingPreferences(userId: userId, sizes: [random.pick(WorldVocabulary.clothingSizes) ?? "M",
                                                                                   random.pick(WorldVocabulary.shoeSizes) ?? "40"],
                                                         budgetCents: budget, region: region))
            world.settings.append(UserSettings(userId: userId, personalisation: random.chance(0.9), updatedMs: Self.startMs))
            var followed = Set<RecommenderIndex.AuthorKey>()
            let tasteAuthors = authorStyle.keys.filter { tastes.contains(authorStyle[$0] ?? -1) }.sorted { $0.id < $1.id }
            let allAuthors = authorStyle.keys.sorted { $0.id < $1.id }
            for _ in 0..<random.int(3...10) {
                if let key = random.chance(0.8) ? random.pick(tasteAuthors) : random.pick(allAuthors) { followed.insert(key) }
            }
            for key in followed.sorted(by: { $0.id < $1.id }) {
                world.follows.append(Follow(userId: userId, targetKind: key.kind == .creator ? .creator : .community, targetId: key.id,
                                            createdMs: Self.startMs))
            }
            // Activity is skewed too: most users do little, a few do a lot.
            let events = min(120, 6 + Int(8 * random.pareto(alpha: 1.5)))
            let times = (0..<events).map { _ in Self.startMs + random.int(0...(Self.spanDays * Self.dayMs - 1)) }.sorted()
            var previous: [Int] = []
            for time in times {
                var postId: String?
                var item: Int?
                let roll = random.unit()
                if roll < Self.fromFollowedPost {
                    let feed = followed.sorted(by: { $0.id < $1.id }).flatMap { postsByAuthor[$0] ?? [] }.filter { $0.createdMs <= time && time - $0.createdMs <= Self.feedWindowMs }
                    if let post = random.pick(feed), let tag = random.pick(post.productIds) {
                        item = productIndex[tag]
                        postId = post.id
                    }
                } else if roll < Self.fromFollowedPost + Self.fromSameNiche, let last = previous.last {
                    item = byNiche["\(productStyle[last])/\(world.products[last].category.rawValue)"]?.pick(&random)
                } else if roll < Self.fromFollowedPost + Self.fromSameNiche + Self.fromTaste {
                    item = random.pick(tastes).flatMap { byStyle[$0].pick(&random) }
                }
                guard let chosen = item ?? everything.pick(&random) else { continue }
                let liked = tastes.contains(productStyle[chosen]) && world.products[chosen].priceCents <= budget * 2
                let kind = pickKind(&random, liked: liked)
                world.interactions.append(Interaction(id: String(format: "i%07d", interactionCount), userId: userId,
                                                      productId: world.products[chosen].id, kind: kind, postId: postId, createdMs: time))
                interactionCount += 1
                if kind.isPositive { previous.append(chosen) }
            }
        }
        return world
    }

    func pickCategory(_ random: inout SeededGenerator) -> ProductCategory {
        var roll = random.unit()
        for (category, share) in WorldVocabulary.categoryShare {
            roll -= share
            if roll < 0 { return category }
        }
        return .fashion
    }

    func pickRegion(_ random: inout SeededGenerator) -> (String, String) {
        var roll = random.unit()
        for (region, currency, share) in WorldVocabulary.regions {
            roll -= share
            if roll < 0 { return (region, currency) }
        }
        return ("EU", "EUR")
    }

    /// Mostly views; saves, carts and purchases for things in the user's taste and budget;
    /// dismissals for the rest.
    func pickKind(_ random: inout SeededGenerator, liked: Bool) -> InteractionKind {
        let roll = random.unit()
        if !liked { return roll < 0.35 ? .dismiss : .view }
        switch roll {
        case ..<0.5: return .view
        case ..<0.68: return .like
        case ..<0.82: return .save
        case ..<0.92: return .cart
        default: return .purchase
        }
    }
}
