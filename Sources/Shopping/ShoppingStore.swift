import Foundation
import Storage

/// The shopping tables of the shared store (Schema migration 2), read and written in bulk.
public struct ShoppingStore: Sendable {
    public let database: Database

    public init(database: Database) { self.database = database }

    /// Rows per multi-row INSERT: 999 parameters is SQLite's oldest limit (SQLITE_MAX_VARIABLE_NUMBER).
    static let maxParametersPerInsert = 999

    // MARK: - Writing

    /// Adds the world's records in one transaction (ids must be new).
    public func insert(_ world: ShoppingWorld) async throws {
        try await database.transaction { connection in try Self.insert(world, into: connection) }
    }

    static func insert(_ world: ShoppingWorld, into connection: any SQLConnection) throws {
        try insertRows(connection, "shop_brands", ["id", "name"], world.brands.map { [.text($0.id), .text($0.name)] })
        try insertRows(connection, "shop_products",
                       ["id", "brand_id", "title", "description", "category", "colour", "material", "sizes", "price_cents",
                        "currency", "stock", "region", "image_url", "created_ms"],
                       world.products.map { p in
                           [.text(p.id), .text(p.brandId), .text(p.title), .text(p.description), .text(p.category.rawValue),
                            SQLValue(p.colour), SQLValue(p.material), .text(p.sizes.joined(separator: ",")), SQLValue(p.priceCents),
                            .text(p.currency), SQLValue(p.stock), .text(p.region), SQLValue(p.imageUrl), SQLValue(p.createdMs)]
                       })
        try insertRows(connection, "shop_creators", ["id", "handle", "name", "style"],
                       world.creators.map { [.text($0.id), .text($0.handle), .text($0.name), .text($0.style)] })
        try insertRows(connection, "shop_communities", ["id", "name", "topic"],
                       world.communities.map { [.text($0.id), .text($0.name), .text($0.topic)] })
        try insertRows(connection, "shop_posts", ["id", "author_kind", "author_id", "title", "body", "sponsored", "created_ms"],
                       world.posts.map { p in
                           [.text(p.id), .text(p.authorKind.rawValue), .text(p.authorId), .text(p.title), .text(p.body),
                            SQLValue(p.sponsored), SQLValue(p.createdMs)]
                       })
        try insertRows(connection, "shop_post_products", ["post_id", "product_id"],
                       world.posts.flatMap { post in post.productIds.map { [.text(post.id), .text($0)] } })
        try insertRows(connection, "shop_follows", ["user_id", "target_kind", "target_id", "created_ms"],
                       world.follows.map { [.text($0.userId), .text($0.targetKind.rawValue), .text($0.targetId), SQLValue($0.createdMs)] })
        try insertRows(connection, "shop_interactions", ["id", "user_id", "product_id", "kind", "post_id", "created_ms"],
                       world.interactions.map { i in
                           [.text(i.id), .text(i.userId), .text(i.productId), .text(i.kind.rawValue), SQLValue(i.postId), SQLValue(i.createdMs)]
                       })
        try insertRows(connection, "shop_preferences", ["user_id", "sizes", "budget_cents", "region"],
                       world.preferences.map { [.text($0.userId), .text($0.sizes.joined(separator: ",")), SQLValue($0.budgetCents), SQLValue($0.region)] })
        try insertRows(connection, "user_settings", ["user_id", "personalisation", "updated_ms"],
                       world.settings.map { [.text($0.userId), SQLValue($0.personalisation), SQLValue($0.updatedMs)] })
    }

    /// `keepExisting`: a row whose key is already there is skipped (`ON CONFLICT DO NOTHING`, the
    /// same words in SQLite and PostgreSQL) instead of failing the statement.
    static func insertRows(_ connection: any SQLConnection, _ table: String, _ columns: [String], _ rows: [[SQLValue]],
                           keepExisting: Bool = false) throws {
        let perStatement = max(1, maxParametersPerInsert / columns.count)
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + perStatement)]
            var parameters: [SQLValue] = []
            parameters.reserveCapacity(chunk.count * columns.count)
            let tuples = chunk.map { row -> String in
                let first = parameters.count
                parameters.append(contentsOf: row)
                return "(" + (1...row.count).map { "$\(first + $0)" }.joined(separator: ",") + ")"
            }
            try connection.execute("INSERT INTO \(table) (\(columns.joined(separator: ","))) VALUES \(tuples.joined(separator: ","))"
                                   + (keepExisting ? " ON CONFLICT DO NOTHING" : ""), parameters)
            start += perStatement
        }
    }

    /// Records one interaction (feedback from the API or the chat).
    public func record(_ interaction: Interaction) async throws {
        try await database.run { connection in
            try Self.insertRows(connection, "shop_interactions", ["id", "user_id", "product_id", "kind", "post_id", "created_ms"],
                                [[.text(interaction.id), .text(interaction.userId), .text(interaction.productId),
                                  .text(interaction.kind.rawValue), SQLValue(interaction.postId), SQLValue(interaction.createdMs)]])
        }
    }

    /// Turns personalisation on or off for a user.
    public func setPersonalisation(userId: String, enabled: Bool, nowMs: Int) async throws {
        try await database.transaction { connection in
            // An upsert of this one consent: the row's other settings (health data) are the assistant's.
            try connection.execute("""
                INSERT INTO user_settings (user_id, personalisation, updated_ms) VALUES ($1, $2, $3)
                ON CONFLICT (user_id) DO UPDATE SET personalisation = excluded.personalisation, updated_ms = excluded.updated_ms
                """, .text(userId), SQLValue(enabled), SQLValue(nowMs))
        }
    }

    /// "Reset my interests": forgets views, likes, saves and dismissals. Purchases and the cart
    /// stay (they are orders, and keep owned items out of recommendations); follows stay (the user
    /// manages them). Returns how many interactions were forgotten.
    @discardableResult
    public func resetInterests(userId: String) async throws -> Int {
        try await database.transaction { connection in
            let kinds = InteractionKind.resettable.map { "'\($0.rawValue)'" }.joined(separator: ",")
            let count = try connection.execute(
                "SELECT COUNT(*) AS n FROM shop_interactions WHERE user_id = $1 AND kind IN (\(kinds))", .text(userId)).first?.int("n") ?? 0
            try connection.execute("DELETE FROM shop_interactions WHERE user_id = $1 AND kind IN (\(kinds))", .text(userId))
            return count
        }
    }

    // MARK: - Reading

    /// What one user brings to a recommendation: consent, follows, history, preferences.
    public func userContext(userId: String) async throws -> UserContext {
        try await database.run { connection in try Self.userContext(userId: userId, connection) }
    }

    static func userContext(userId: String, _ connection: any SQLConnection) throws -> UserContext {
        let consent = try connection.execute("SELECT personalisation FROM user_settings WHERE user_id = $1", .text(userId))
            .first?.int("personalisation") == 1
        let follows = try connection.execute("SELECT target_kind, target_id, created_ms FROM shop_follows WHERE user_id = $1", .text(userId))
            .map { row in
                Follow(userId: userId, targetKind: try enumValue(row, "target_kind"), targetId: try row.string("target_id"),
                       createdMs: try row.int("created_ms"))
            }
        let history = try connection.execute(
            "SELECT id, product_id, kind, post_id, created_ms FROM shop_interactions WHERE user_id = $1 ORDER BY created_ms, id",
            .text(userId)).map { try interaction($0, userId: userId) }
        let preferences = try connection.execute("SELECT sizes, budget_cents, region FROM shop_preferences WHERE user_id = $1",
                                                 .text(userId)).first.map { row in
            ShoppingPreferences(userId: userId, sizes: list(try row.string("sizes")), budgetCents: try row.optionalInt("budget_cents"),
                                region: try row.optionalString("region"))
        }
        return UserContext(userId: userId, personalisation: consent, follows: follows, history: history, preferences: preferences)
    }

    /// The catalogue, posts and every interaction: what the recommender's index is built from.
    public func loadWorld() async throws -> ShoppingWorld {
        try await database.run { connection in try Self.loadWorld(connection) }
    }

    static func loadWorld(_ connection: any SQLConnection) throws -> ShoppingWorld {
        var world = ShoppingWorld()
        world.brands = try connection.execute("SELECT id, name FROM shop_brands ORDER BY id").map {
            Brand(id: try $0.string("id"), name: try $0.string("name"))
        }
        world.products = try connection.execute("SELECT * FROM shop_products ORDER BY id").map { row in
            Product(id: try row.string("id"), brandId: try row.string("brand_id"), title: try row.string("title"),
                    description: try row.string("description"), category: try enumValue(row, "category"),
                    colour: try row.optionalString("colour"), material: try row.optionalString("material"),
                    sizes: list(try row.string("sizes")), priceCents: try row.int("price_cents"), currency: try row.string("currency"),
                    stock: try row.int("stock"), region: try row.string("region"), imageUrl: try row.optionalString("image_url"),
                    createdMs: try row.int("created_ms"))
        }
        world.creators = try connection.execute("SELECT id, handle, name, style FROM shop_creators ORDER BY id").map {
            Creator(id: try $0.string("id"), handle: try $0.string("handle"), name: try $0.string("name"), style: try $0.string("style"))
        }
        world.communities = try connection.execute("SELECT id, name, topic FROM shop_communities ORDER BY id").map {
            Community(id: try $0.string("id"), name: try $0.string("name"), topic: try $0.string("topic"))
        }
        var tags: [String: [String]] = [:]
        for row in try connection.execute("SELECT post_id, product_id FROM shop_post_products ORDER BY post_id, product_id") {
            tags[try row.string("post_id"), default: []].append(try row.string("product_id"))
        }
        world.posts = try connection.execute("SELECT * FROM shop_posts ORDER BY id").map { row in
            let id = try row.string("id")
            return Post(id: id, authorKind: try enumValue(row, "author_kind"), authorId: try row.string("author_id"),
                        title: try row.string("title"), body: try row.string("body"), productIds: tags[id] ?? [],
                        sponsored: try row.int("sponsored") == 1, createdMs: try row.int("created_ms"))
        }
        world.follows = try connection.execute("SELECT * FROM shop_follows ORDER BY user_id, target_kind, target_id").map { row in
            Follow(userId: try row.string("user_id"), targetKind: try enumValue(row, "target_kind"), targetId: try row.string("target_id"),
                   createdMs: try row.int("created_ms"))
        }
        world.interactions = try connection.execute("SELECT * FROM shop_interactions ORDER BY created_ms, id").map {
            try interaction($0, userId: try $0.string("user_id"))
        }
        return world
    }

    /// The ids already in each table, for import's reference checks.
    static func existingIds(_ connection: any SQLConnection) throws -> [String: Set<String>] {
        var ids: [String: Set<String>] = [:]
        for (kind, table) in [("brand", "shop_brands"), ("product", "shop_products"), ("creator", "shop_creators"),
                              ("community", "shop_communities"), ("post", "shop_posts"), ("interaction", "shop_interactions")] {
            ids[kind] = Set(try connection.execute("SELECT id FROM \(table)").map { try $0.string("id") })
        }
        ids["follow"] = Set(try connection.execute("SELECT user_id, target_kind, target_id FROM shop_follows").map {
            followKey(try $0.string("user_id"), try $0.string("target_kind"), try $0.string("target_id"))
        })
        ids["preferences"] = Set(try connection.execute("SELECT user_id FROM shop_preferences").map { try $0.string("user_id") })
        ids["settings"] = Set(try connection.execute("SELECT user_id FROM user_settings").map { try $0.string("user_id") })
        ids["handle"] = Set(try connection.execute("SELECT handle FROM shop_creators").map { try $0.string("handle") })
        return ids
    }

    static func followKey(_ user: String, _ kind: String, _ target: String) -> String { user + "\u{1F}" + kind + "\u{1F}" + target }

    // MARK: - Embeddings

    /// The cached vectors of one embedder, by product id.
    public func embeddings(model: String) async throws -> [String: [Float]] {
        try await database.run { connection in
            var vectors: [String: [Float]] = [:]
            for row in try connection.execute("SELECT product_id, vector FROM shop_product_embeddings WHERE model = $1", .text(model)) {
                guard let data = Data(base64Encoded: try row.string("vector")) else { throw StorageError.unexpectedValue(column: "vector") }
                vectors[try row.string("product_id")] = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            }
            return vectors
        }
    }

    /// Requests arriving together on a fresh store may each compute the missing vectors; the same
    /// product and embedder give the same vector, so the later writer keeps the row already there.
    public func saveEmbeddings(_ vectors: [(productId: String, vector: [Float])], model: String) async throws {
        let rows: [[SQLValue]] = vectors.map { item in
            [.text(item.productId), .text(model), .text(item.vector.withUnsafeBytes { Data($0) }.base64EncodedString())]
        }
        try await database.transaction { connection in
            try Self.insertRows(connection, "shop_product_embeddings", ["product_id", "model", "vector"], rows, keepExisting: true)
        }
    }

    // MARK: - Row helpers

    static func interaction(_ row: SQLRow, userId: String) throws -> Interaction {
        Interaction(id: try row.string("id"), userId: userId, productId: try row.string("product_id"), kind: try enumValue(row, "kind"),
                    postId: try row.optionalString("post_id"), createdMs: try row.int("created_ms"))
    }

    static func enumValue<T: RawRepresentable>(_ row: SQLRow, _ column: String) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: try row.string(column)) else { throw StorageError.unexpectedValue(column: column) }
        return value
    }

    static func list(_ text: String) -> [String] { text.split(separator: ",").map(String.init) }
}

extension InteractionKind {
    /// What "reset my interests" forgets.
    public static let resettable: [InteractionKind] = [.view, .like, .save, .dismiss]
}
