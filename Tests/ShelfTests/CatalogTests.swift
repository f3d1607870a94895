import Foundation
import Nutrition
import Shelf
import Storage
import Testing
import TestSupport

enum ShelfFixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
    static func path(_ name: String) -> String { folder + "/" + name }
}

@Suite struct CatalogFileTests {
    @Test func csvAndJSONLinesReadTheSameCatalogue() throws {
        let lines = try CatalogFile.read(path: ShelfFixtures.path("catalogue.jsonl"))
        let csv = try CatalogFile.read(path: ShelfFixtures.path("catalogue.csv"))
        #expect(lines.count == 32)
        #expect(csv == lines)
        let first = try #require(lines.first)
        #expect(CatalogProduct.isValidEAN13(first.barcode))
        #expect(first.nutrition.energyKcal != nil)
    }

    @Test func quotedCSVFieldsKeepTheirCommasAndQuotes() throws {
        let text = #"""
            barcode,name,brand,category,energy_kcal,sugars_g,ingredients,price
            4006381333931,"Oats, rolled",Acme,general,375,1.1,"oats, ""wholegrain""",1.25
            """#
        let product = try #require(try CatalogFile.csv(text).first)
        #expect(product.name == "Oats, rolled")
        #expect(product.ingredients == "oats, \"wholegrain\"")
        #expect(product.nutrition.sugars == 1.1)
        #expect(product.nutrition.fibre == nil)  // absent, not zero
        #expect(product.price == 1.25)
    }

    @Test func badLinesNameTheirLineAndField() {
        #expect(throws: ShelfError.malformedCatalogue(line: 2, message: "sugars_g 'lots' is not a number")) {
            try CatalogFile.csv("barcode,name,category,sugars_g\n4006381333931,Oats,general,lots\n")
        }
        #expect(throws: ShelfError.malformedCatalogue(line: 2, message: "missing field 'category'")) {
            try CatalogFile.jsonLines(#"{"barcode":"1","name":"a","category":"general","nutrition":{}}"# + "\n" + #"{"barcode":"2","name":"b","nutrition":{}}"#)
        }
        #expect(throws: ShelfError.self) {
            try CatalogFile.jsonLines(#"{"barcode":"12","name":"a","category":"general","nutrition":{"sugars_g":-3}}"#)
        }
    }

    @Test func ean13CheckDigits() {
        #expect(CatalogProduct.isValidEAN13("4006381333931"))
        #expect(!CatalogProduct.isValidEAN13("4006381333932"))
        #expect(!CatalogProduct.isValidEAN13("400638133393"))
    }
}

@Suite struct ProductCatalogTests {
    @Test func importsAndReplacesByBarcodeOnEveryBackend() async throws {
        let products = try CatalogFile.read(path: ShelfFixtures.path("catalogue.jsonl"))
        for location in try TestDatabase.freshLocations() {
            let catalog = ProductCatalog(database: try Database(location), now: { 1_700_000_000_000 })
            #expect(try await catalog.importProducts(products) == products.count)
            #expect(try await catalog.all() == products.sorted { $0.barcode < $1.barcode })
            var changed = products[0]
            changed.price = 9.99
            changed.nutrition.sugars = nil
            try await catalog.importProducts([changed])
            let stored = try await catalog.all()
            #expect(stored.count == products.count)
            #expect(stored.first { $0.barcode == changed.barcode } == changed)
        }
    }

    /// The kept index follows every change: an import from another catalogue value (another
    /// process or replica) on the same store shows at the next `index()`.
    @Test func theKeptIndexFollowsEveryImport() async throws {
        let products = try CatalogFile.read(path: ShelfFixtures.path("catalogue.jsonl"))
        for location in try TestDatabase.freshLocations() {
            let database = try Database(location)
            let start = 1_700_000_000_000
            let reader = ProductCatalog(database: database)
            #expect(try await reader.index().products.isEmpty)
            try await ProductCatalog(database: database, now: { start }).importProducts(Array(products.prefix(3)))
            let first = try await reader.revision()
            #expect(first == ProductCatalog.Revision(products: 3, latestUpdateMs: start))
            #expect(try await reader.index().products.map(\.barcode) == products.prefix(3).map(\.barcode).sorted())
            #expect(try await reader.revision() == first, "reading changes nothing")
            var renamed = products[0]
            renamed.name = "Renamed " + renamed.name
            try await ProductCatalog(database: database, now: { start + 1 }).importProducts([renamed])
            #expect(try await reader.index().products.first { $0.barcode == renamed.barcode }?.name == renamed.name,
                    "same count, newer update: read again")
            try await ProductCatalog(database: database, now: { start + 2 }).replaceProducts(of: .partner, with: [products[1]])
            #expect(try await reader.index().products.map(\.barcode) == [products[1].barcode])
        }
    }
}

@Suite struct KendallTauTests {
    @Test func knownValues() throws {
        #expect(ShelfEvaluation.kendallTauB([1, 2, 3, 4], [10, 20, 30, 40]) == 1)
        #expect(ShelfEvaluation.kendallTauB([1, 2, 3, 4], [4, 3, 2, 1]) == -1)
        // One swapped pair of six: (5 - 1) / 6.
        let swapped = try #require(ShelfEvaluation.kendallTauB([1, 2, 3, 4], [1, 3, 2, 4]))
        #expect(abs(swapped - 4.0 / 6.0) < 1e-12)
        // Ties in x: pairs 6, tied 1; concordant 5: 5 / sqrt(5 * 6).
        let tied = try #require(ShelfEvaluation.kendallTauB([1, 1, 2, 3], [1, 2, 3, 4]))
        #expect(abs(tied - 5 / (30.0).squareRoot()) < 1e-12)
        #expect(ShelfEvaluation.kendallTauB([2, 2, 2], [1, 2, 3]) == nil)
    }
}
