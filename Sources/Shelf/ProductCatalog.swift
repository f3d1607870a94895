import Foundation
import Nutrition
import Storage

/// The product catalogue in the store (table `catalog_products`, migration 3; `source`, migration 8):
/// partners' products and USDA SR24's generic foods.
public struct ProductCatalog: Sendable {
    public let database: Database
    /// Milliseconds since 1970; injected so tests are deterministic.
    let now: @Sendable () -> Int
    /// Shared by copies of this value: a server makes one catalogue and reads it per image.
    private let cache = CatalogIndexCache()

    public init(database: Database, now: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970 * 1000) }) {
        self.database = database
        self.now = now
    }

    /// Inserts the products, replacing any with the same barcode; returns how many were written.
    @discardableResult
    public func importProducts(_ products: [CatalogProduct]) async throws -> Int {
        let rows = try Self.rows(products)
        let updated = now()
        return try await database.transaction { connection in
            try Self.upsert(rows, updated: updated, connection)
            return rows.count
        }
    }

    /// Replaces every product of `source` with `products` in one transaction: importing the same
    /// data again leaves the same rows, and foods the new data no longer lists are gone.
    @discardableResult
    public func replaceProducts(of source: CatalogSource, with products: [CatalogProduct]) async throws -> Int {
        let rows = try Self.rows(products.map { var product = $0; product.source = source; return product })
        let updated = now()
        return try await database.transaction { connection in
            try connection.execute("DELETE FROM catalog_products WHERE source = $1", SQLValue(source.rawValue))
            try Self.upsert(rows, updated: updated, connection)
            return rows.count
        }
    }

    /// How many products each source holds.
    public func counts() async throws -> [CatalogSource: Int] {
        let rows = try await database.run { connection in
            try connection.execute("SELECT source, COUNT(*) AS n FROM catalog_products GROUP BY source")
        }
        var counts: [CatalogSource: Int] = [:]
        for row in rows {
            guard let source = CatalogSource(rawValue: try row.string("source")) else { continue }
            counts[source] = try row.int("n")
        }
        return counts
    }

    private static func rows(_ products: [CatalogProduct]) throws -> [[SQLValue]] {
        try products.map { product throws -> [SQLValue] in
            let nutrition = String(decoding: try JSONEncoder().encode(product.nutrition), as: UTF8.self)
            return [SQLValue(product.barcode), SQLValue(product.name), SQLValue(product.brand),
                    SQLValue(product.category.rawValue), SQLValue(nutrition), SQLValue(product.ingredients),
                    product.price.map { .real($0) } ?? .null, SQLValue(product.image), SQLValue(product.source.rawValue)]
        }
    }

    private static func upsert(_ rows: [[SQLValue]], updated: Int, _ connection: any SQLConnection) throws {
        for row in rows {
            try connection.execute("""
                INSERT INTO catalog_products (barcode, name, brand, category, nutrition, ingredients, price, image, source, updated_ms)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                ON CONFLICT (barcode) DO UPDATE SET name = excluded.name, brand = excluded.brand,
                    category = excluded.category, nutrition = excluded.nutrition, ingredients = excluded.ingredients,
                    price = excluded.price, image = excluded.image, source = excluded.source, updated_ms = excluded.updated_ms
                """, row + [SQLValue(updated)])
        }
    }

    /// Every product, by barcode.
    public func all() async throws -> [CatalogProduct] {
        let rows = try await database.run { connection in
            try connection.execute("SELECT * FROM catalog_products ORDER BY barcode")
        }
        return try rows.map(Self.product)
    }

    /// What identifies the catalogue's content: any import or replacement moves the row count or
    /// the latest update time.
    public struct Revision: Sendable, Equatable {
        public let products: Int
        public let latestUpdateMs: Int

        public init(products: Int, latestUpdateMs: Int) { (self.products, self.latestUpdateMs) = (products, latestUpdateMs) }
    }

    public func revision() async throws -> Revision {
        let row = try await database.run { connection in
            try connection.execute("SELECT COUNT(*) AS n, COALESCE(MAX(updated_ms), 0) AS latest FROM catalog_products").first
        }
        guard let row else { throw ShelfError.store("the catalogue's revision query returned no row") }
        return Revision(products: try row.int("n"), latestUpdateMs: try row.int("latest"))
    }

    /// Every product, indexed for name matching. Kept while the catalogue's revision stays the
    /// same: reading and indexing USDA's 7,900 foods took about a second per chat image, and
    /// checking the revision is one small query, so a `muse catalog import` (from any process or
    /// replica) shows at the next request.
    public func index() async throws -> CatalogIndex {
        let revision = try await revision()
        if let index = cache.index(at: revision) { return index }
        // Read after the revision: if an import lands in between, the next request sees a newer
        // revision and reads again.
        let index = CatalogIndex(try await all())
        cache.keep(index, at: revision)
        return index
    }

    static func product(_ row: SQLRow) throws -> CatalogProduct {
        let barcode = try row.string("barcode")
        guard let category = NutriScoreCategory(rawValue: try row.string("category")) else {
            throw ShelfError.store("product \(barcode) has an unknown category")
        }
        let nutrition = try JSONDecoder().decode(NutritionFacts.self, from: Data(try row.string("nutrition").utf8))
        guard let source = CatalogSource(rawValue: try row.string("source")) else {
            throw ShelfError.store("product \(barcode) has an unknown source")
        }
        return CatalogProduct(barcode: barcode, name: try row.string("name"), brand: try row.optionalString("brand"),
                              category: category, nutrition: nutrition, ingredients: try row.optionalString("ingredients"),
                              price: row["price"] == .null ? nil : try row.double("price"), image: try row.optionalString("image"),
                              source: source)
    }
}

/// The last catalogue index and the revision it was read at.
private final class CatalogIndexCache: @unchecked Sendable {  // `entry` behind `lock`
    private let lock = NSLock()
    private var entry: (revision: ProductCatalog.Revision, index: CatalogIndex)?

    func index(at revision: ProductCatalog.Revision) -> CatalogIndex? {
        lock.withLock { entry?.revision == revision ? entry?.index : nil }
    }

    func keep(_ index: CatalogIndex, at revision: ProductCatalog.Revision) {
        lock.withLock { entry = (revision, index) }
    }
}
