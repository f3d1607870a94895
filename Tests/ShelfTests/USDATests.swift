import Foundation
import Nutrition
import Shelf
import Storage
import Testing
import TestSupport

/// USDA SR24 as Debian's cronometer ships it. Fixtures/usda-sr24 holds four real food files and
/// their foods.index lines (CR LF, as shipped), copied from usda_sr24.jar: public domain.
@Suite struct USDAFoodDataTests {
    static let folder = ShelfFixtures.path("usda-sr24")

    static func fixture() throws -> [String: CatalogProduct] {
        let (products, rejected) = try USDACatalogue.products(folder: folder)
        #expect(rejected.isEmpty)
        return Dictionary(uniqueKeysWithValues: products.map { ($0.barcode, $0) })
    }

    @Test func readsRealFoodFiles() throws {
        let (foods, rejected) = try USDAFoodData.read(folder: Self.folder)
        #expect(rejected.isEmpty)
        #expect(foods.map(\.ndb) == ["01009", "01077", "04053", "09003"])
        let apple = try #require(foods.last)
        #expect(apple.description == "Apples, raw, with skin")
        #expect(apple.nutrients["Energy"] == 52)
        #expect(apple.nutrients["Sugars"] == 10.39)
        #expect(apple.nutrients["Sodium"] == 1)
        #expect(apple.nutrients["Saturated"] == 0.028)
        // The attribute's &quot; entities are decoded.
        let milk = try USDAFoodData.parse(xml: String(contentsOfFile: Self.folder + "/01077.xml", encoding: .utf8), file: "01077.xml")
        #expect(milk.description == "Milk, whole, 3.25% milkfat, with added vitamin D")
    }

    @Test func nutrientsMapToLabelValuesAndMissingOnesStayMissing() throws {
        let products = try Self.fixture()
        let cheddar = try #require(products["usda-sr24:01009"])
        #expect(cheddar.source == .usdaSR24 && cheddar.brand == nil)
        #expect(cheddar.nutrition.energyKcal == 403)
        #expect(cheddar.nutrition.sodium == 0.621)            // 621 mg
        #expect(cheddar.nutrition.salt == 1.5525)             // × 2.5
        #expect(cheddar.nutrition.energyKJ == 1686.152)       // × 4.184
        #expect(cheddar.nutrition.nonNutritiveSweeteners == nil)
        let sparse = try USDACatalogue.product(USDAFood(ndb: "46168", description: "Polydextrose",
                                                        nutrients: ["Energy": 100, "Carbs": 96, "Water": 4]))
        #expect(sparse.nutrition.sugars == nil && sparse.nutrition.fibre == nil && sparse.nutrition.protein == nil)
        #expect(try ProductAssessment(sparse.label).nutriScore.status == .unknown)
    }

    @Test func badRowsAreReportedWithTheirLineAndTheRestIsKept() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("usda-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for file in ["01009.xml", "09003.xml"] {
            try FileManager.default.copyItem(atPath: Self.folder + "/" + file, toPath: folder + "/" + file)
        }
        try """
            01009|Cheese, cheddar\r
            1009|Cheese, cheddar\r
            09003|Apples, raw, with skin\r
            09999|A food without a file\r
            09998|Apples, bad amount\r

            """.write(toFile: folder + "/foods.index", atomically: true, encoding: .utf8)
        try """
            <food uid="09998" name="Apples, bad amount">
            <nutrient amount="52.0" name="Energy"/>
            <nutrient amount="lots" name="Sugars"/>
            </food>
            """.write(toFile: folder + "/09998.xml", atomically: true, encoding: .utf8)
        let (foods, rejected) = try USDAFoodData.read(folder: folder)
        #expect(foods.map(\.ndb) == ["01009", "09003"])
        #expect(rejected.count == 3)
        #expect(rejected[0] == .malformedFoodData(file: "foods.index", line: 2, message: "expected NDB_No|Long_Desc, got '1009|Cheese, cheddar'"))
        guard case .malformedFoodData(let missingFile, 0, _) = rejected[1] else {
            Issue.record("expected an unreadable file, got \(rejected[1])")
            return
        }
        #expect(missingFile.hasSuffix("09999.xml"))
        #expect(rejected[2] == .malformedFoodData(file: "09998.xml", line: 3, message: "Sugars amount 'lots' is not a non-negative number"))
    }

    @Test func aMissingIndexFails() {
        #expect(throws: ShelfError.self) { try USDAFoodData.read(folder: "/nonexistent/usda_sr24") }
    }
}

/// Nutri-Score of real SR24 foods, computed by the Nutrition module; the points were checked by
/// hand against PRODUCT-NOTES.md section 5 (thresholds are "strictly greater", the ratio's "≥").
@Suite struct USDANutriScoreTests {
    @Test func rawAppleIsA() throws {
        let apple = try #require(try USDAFoodDataTests.fixture()["usda-sr24:09003"])
        #expect(apple.category == .general)
        #expect(apple.nutrition.fruitsVegetablesLegumesEstimate == 100...100)
        let result = try ProductAssessment(apple.label).nutriScore
        // N: 52 kcal = 217.6 kJ → 0; sugars 10.39 > 10 → 3; saturates 0.028 → 0; salt 0.0025 → 0.
        // P: fibre 2.4 → 0; protein 0.26 → 0 (counts: N 3 < 11); FVL 100 % (estimated) → 5.
        #expect(result.negative.map(\.points) == [.known(0), .known(3), .known(0), .known(0)])
        #expect(result.positive.map(\.points) == [.known(0), .known(0), .known(5)])
        #expect(result.score == -2 && result.grade == .a)
        #expect(result.status == .estimated && result.missingInputs == ["fruits_vegetables_legumes_percent"])
    }

    @Test func cheddarIsD() throws {
        let cheddar = try #require(try USDAFoodDataTests.fixture()["usda-sr24:01009"])
        #expect(cheddar.category == .cheese)
        let result = try ProductAssessment(cheddar.label).nutriScore
        // N: 1686.2 kJ > 1675 → 5; sugars 0.52 → 0; saturates 21.092 → 10; salt 1.5525 > 1.4 → 7 = 22.
        // P: fibre 0 → 0; protein 24.9 > 17 → 7 (cheese: always counted); FVL ≤ 40 % (dairy) → 0.
        #expect(result.negative.map(\.points) == [.known(5), .known(0), .known(10), .known(7)])
        #expect(result.positive.map(\.points) == [.known(0), .known(7), .known(0)])
        #expect(result.proteinCounted == true)
        #expect(result.score == 15 && result.grade == .d && result.status == .estimated)
    }

    @Test func oliveOilIsB() throws {
        let oil = try #require(try USDAFoodDataTests.fixture()["usda-sr24:04053"])
        #expect(oil.category == .fat)
        #expect(oil.nutrition.fruitsVegetablesLegumesEstimate == 100...100)
        let result = try ProductAssessment(oil.label).nutriScore
        // N: energy from saturates 13.808 × 37 = 510.9 kJ > 480 → 4; sugars 0 → 0;
        // saturates/lipids 13.8 % ≥ 10 → 1; salt 0.005 → 0 = 5. P: fibre 0, protein 0 (N 5 < 7),
        // FVL 100 % (olive oil, as in the Nutrition worked example) → 5: score 0, fats B (−5…2).
        #expect(result.negative.map(\.points) == [.known(4), .known(0), .known(1), .known(0)])
        #expect(result.positive.map(\.points) == [.known(0), .known(0), .known(5)])
        #expect(result.score == 0 && result.grade == .b && result.status == .estimated)
    }

    @Test func wholeMilkIsABeverageGradedCOrD() throws {
        let milk = try #require(try USDAFoodDataTests.fixture()["usda-sr24:01077"])
        #expect(milk.category == .beverage)
        let result = try ProductAssessment(milk.label).nutriScore
        // N: 61 kcal = 255.2 kJ > 240 → 5; sugars 5.05 > 5 → 4; saturates 1.865 → 1; salt 0.1075 → 0;
        // sweeteners not in SR24 → 0 or 4. P: protein 3.15 > 3.0 → 7; fibre 0 → 0; FVL ≤ 40 % → 0.
        // Score 10 − 7 = 3 (C) or 14 − 7 = 7 (D): beverages B ≤ 2, C 3–6, D 7–9.
        #expect(result.negative.map(\.points) == [.known(5), .known(4), .known(1), .known(0), .unknown(0...4)])
        #expect(result.positive.map(\.points) == [.known(0), .known(7), .known(0)])
        #expect(result.scoreRange == 3...7)
        #expect(result.gradeRange == NutriGrade.c ... NutriGrade.d)
        #expect(Set(result.missingInputs) == ["fruits_vegetables_legumes_percent", "non_nutritive_sweeteners"])
    }
}
