import Foundation
import Nutrition
import Storage

/// The partner product catalogue in the store (table `catalog_products`, migration 3).
public struct ProductCatalog: Sendable {
    public let database: Database
    /// Milliseconds since 1970; injected so tests are deterministic.
    let now: @Sendable () -> Int

    public init(database: Database, now: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970 * 1000) }) {
        self.database = database
        self.now = now
    }

    /// Inserts the products, replacing any with the same barcode; returns how many were written.
    @discardableResult
    public func importProducts(_ products: [CatalogProduct]) async throws -> Int {
        let rows = try products.map { product throws -> [SQLValue] in
            let nutrition = String(decoding: try JSONEncoder().encode(product.nutrition), as: UTF8.self)
            return [SQLValue(product.barcode), SQLValue(product.name), SQLValue(product.brand),
                    SQLValue(product.category.rawValue), SQLValue(nutrition), SQLValue(product.ingredients),
                    product.price.map { .real($0) } ?? .null, SQLValue(product.image)]
        }
        let updated = now()
        return try await database.transaction { connection in
            for row in rows {
                try connection.execute("""
                    INSERT INTO catalog_products (barcode, name, brand, category, nutrition, ingredients, price, image, updated_ms)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                    ON CONFLICT (barcode) DO UPDATE SET name = excluded.name, brand = excluded.brand,
                        category = excluded.category, nutrition = excluded.nutrition, ingredients = excluded.ingredients,
                        price = excluded.price, image = excluded.image, updated_ms = excluded.updated_ms
                    """, row + [SQLValue(updated)])
            }
            return rows.count
        }
    }

    /// Every product, by barcode.
    public func all() async throws -> [CatalogProduct] {
        let rows = try await database.run { connection in
            try connection.execute("SELECT * FROM catalog_products ORDER BY barcode")
        }
        return try rows.map(Self.product)
    }

    static func product(_ row: SQLRow) throws -> CatalogProduct {
        let barcode = try row.string("barcode")
        guard let category = NutriScoreCategory(rawValue: try row.string("category")) else {
            throw ShelfError.store("product \(barcode) has an unknown category")
        }
        let nutrition = try JSONDecoder().decode(NutritionFacts.self, from: Data(try row.string("nutrition").utf8))
        return CatalogProduct(barcode: barcode, name: try row.string("name"), brand: try row.optionalString("brand"),
                              category: category, nutrition: nutrition, ingredients: try row.optionalString("ingredients"),
                              price: row["price"] == .null ? nil : try row.double("price"), image: try row.optionalString("image"))
    }
}
