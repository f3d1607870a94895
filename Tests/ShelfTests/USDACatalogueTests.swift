import Foundation
import Nutrition
import Shelf
import Storage
import Testing
import TestSupport

/// The food group (an NDB number's first two digits) and the name place a food in a Nutri-Score
/// category and bound its fruit/vegetable/legume share (README "Generic foods (USDA SR24)").
@Suite struct USDACategoryTests {
    static func product(_ ndb: String, _ name: String) throws -> CatalogProduct {
        try USDACatalogue.product(USDAFood(ndb: ndb, description: name, nutrients: ["Energy": 100]))
    }

    /// Real SR24 NDB numbers and names.
    @Test(arguments: [
        ("14555", "Water, bottled, generic", NutriScoreCategory.water),
        ("14604", "Water, non-carbonated, bottles, natural fruit flavors, sweetened with low calorie sweetener", .beverage),
        ("09206", "Orange juice, raw", .beverage),
        ("01090", "Milk, dry, whole, with added vitamin D", .general),
        ("01001", "Butter, salted", .fat),
        ("04025", "Salad dressing, mayonnaise, soybean oil, with salt", .general),
        ("12061", "Nuts, almonds", .fat),
        ("16087", "Peanuts, all types, raw", .fat),
        ("13001", "Beef, carcass, separable lean and fat, choice, raw", .redMeat),
        ("07007", "Bologna, beef", .redMeat),
        ("07081", "Turkey breast, sliced, prepackaged", .general),
        ("42258", "Cheese product, pasteurized process, cheddar, reduced fat", .cheese),
        ("42289", "Oil, corn and canola", .fat),
    ])
    func categories(ndb: String, name: String, category: NutriScoreCategory) throws {
        #expect(try Self.product(ndb, name).category == category)
    }

    @Test func sharesAreEstimatedOnlyWhereTheGroupBoundsThem() throws {
        func share(_ ndb: String, _ name: String) throws -> ClosedRange<Double>? {
            try Self.product(ndb, name).nutrition.fruitsVegetablesLegumesEstimate
        }
        #expect(try share("11591", "Watercress, raw") == 100...100)
        #expect(try share("16057", "Chickpeas (garbanzo beans, bengal gram), mature seeds, cooked, boiled, without salt") == 100...100)
        #expect(try share("13001", "Beef, carcass, separable lean and fat, choice, raw") == 0...40)
        #expect(try share("04053", "Oil, olive, salad or cooking") == 100...100)
        #expect(try share("04034", "Oil, soybean, salad or cooking, (hydrogenated)") == 0...40)
        // Unknown: starchy roots, sweetened fruit, mixed dishes, oil blends, peanuts (fats category).
        #expect(try share("11353", "Potatoes, russet, flesh and skin, raw") == nil)
        #expect(try share("09079", "Cranberries, dried, sweetened") == nil)
        #expect(try share("22529", "Beef Pot Pie, frozen entree, prepared") == nil)
        #expect(try share("44005", "Oil, corn, peanut, and olive") == nil)
        #expect(try share("16087", "Peanuts, all types, raw") == nil)
    }
}

@Suite struct USDAImportTests {
    /// Re-importing replaces: the same rows again, foods no longer listed gone, partners untouched.
    @Test func reImportIsIdempotentOnEveryBackend() async throws {
        let foods = try USDACatalogue.products(folder: USDAFoodDataTests.folder).products
        let partners = try CatalogFile.read(path: ShelfFixtures.path("catalogue.jsonl"))
        for location in try TestDatabase.freshLocations() {
            let catalog = ProductCatalog(database: try Database(location), now: { 1_700_000_000_000 })
            try await catalog.importProducts(partners)
            #expect(try await catalog.replaceProducts(of: .usdaSR24, with: foods) == foods.count)
            let first = try await catalog.all()
            #expect(try await catalog.replaceProducts(of: .usdaSR24, with: foods) == foods.count)
            let second = try await catalog.all()
            #expect(second == first)
            #expect(second.count == partners.count + foods.count)
            #expect(second.filter { $0.source == .usdaSR24 } == foods.sorted { $0.barcode < $1.barcode })
            #expect(try await catalog.counts() == [.partner: partners.count, .usdaSR24: foods.count])
            try await catalog.replaceProducts(of: .usdaSR24, with: Array(foods.prefix(1)))
            #expect(try await catalog.counts() == [.partner: partners.count, .usdaSR24: 1])
        }
    }

    @Test func genericFoodsAreFoundByName() throws {
        let foods = try USDACatalogue.products(folder: USDAFoodDataTests.folder).products
        let partners = try CatalogFile.read(path: ShelfFixtures.path("catalogue.jsonl"))
        let index = CatalogIndex(partners + foods)
        #expect(index.search("apples raw", limit: 1).first?.product.barcode == "usda-sr24:09003")
        #expect(index.search("cheddar cheese", limit: 1).first?.product.barcode == "usda-sr24:01009")
        #expect(index.search("whole milk", limit: 1).first?.product.barcode == "usda-sr24:01077")
        // A shelf pack's words still find the partner product, not a generic food.
        let partner = try #require(partners.first)
        let read = [partner.brand, partner.name].compactMap { $0 }.joined(separator: " ").lowercased()
            .split { !$0.isLetter && !$0.isNumber }.map(String.init).filter { $0.count >= 3 }
        let best = try #require(index.best(read: read, count: 1).first)
        #expect(best.product.barcode == partner.barcode && best.score == 1)
    }
}
