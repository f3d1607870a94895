import Foundation
import Nutrition
import Testing

@Suite struct NutritionFactsTests {
    static func facts(_ json: String) throws -> NutritionFacts {
        try JSONDecoder().decode(NutritionFacts.self, from: Data(json.utf8))
    }

    static func label(_ json: String) throws -> ProductLabel {
        try ProductLabel.decode(Data(json.utf8))
    }

    /// The error's message, which must name the field a user has to fix.
    static func message(_ facts: NutritionFacts) -> String? {
        do { try facts.validate() } catch { return "\(error)" }
        return nil
    }

    @Test func decodesSnakeCaseKeysAndConvertsUnits() throws {
        let facts = try Self.facts("""
            {"energy_kcal": 42, "sugars_g": 10.6, "fat_g": 0, "saturated_fat_g": 0, "sodium_g": 0.72,
             "fiber_g": 1.5, "protein_g": 3, "fruits_vegetables_legumes_percent": 12, "non_nutritive_sweeteners": true}
            """)
        #expect(facts.energyKJ == 175.728)  // 42 × 4.184
        #expect(facts.salt == 1.8)  // 0.72 × 2.5, without the float noise (1.7999999999999998)
        #expect(facts.fibre == 1.5 && facts.protein == 3 && facts.fruitsVegetablesLegumesPercent == 12)
        #expect(facts.nonNutritiveSweeteners == true)
        #expect(try Self.facts("{}") == NutritionFacts())
    }

    @Test func declaredKilojoulesAndSaltWinOverConversions() throws {
        let facts = try Self.facts(#"{"energy_kj": 180, "energy_kcal": 43, "salt_g": 1.0, "sodium_g": 0.4}"#)
        #expect(facts.energyKJ == 180 && facts.salt == 1.0)
    }

    @Test func encodingRoundTrips() throws {
        let facts = NutritionFacts(energyKJ: 1604, sugars: 37, fat: 1, saturatedFat: 0.1, salt: 0.73, fibre: 2,
                                   protein: 4.5, fruitsVegetablesLegumesPercent: 0, nonNutritiveSweeteners: false)
        let data = try JSONEncoder().encode(facts)
        #expect(try JSONDecoder().decode(NutritionFacts.self, from: data) == facts)
        #expect(String(decoding: data, as: UTF8.self).contains("\"saturated_fat_g\""))
    }

    @Test func impossibleValuesNameTheirField() throws {
        let cases: [(NutritionFacts, String)] = [
            (NutritionFacts(sugars: -1), "invalid sugars_g = -1.0: negative"),
            (NutritionFacts(sugars: 101), "invalid sugars_g = 101.0: more than 100 g in 100 g"),
            (NutritionFacts(salt: -0.1), "salt_g"),
            (NutritionFacts(sodium: 120), "sodium_g"),
            (NutritionFacts(protein: .nan), "invalid protein_g = nan: not a finite number"),
            (NutritionFacts(fibre: .infinity), "fibre_g"),
            (NutritionFacts(fruitsVegetablesLegumesPercent: 120), "fruits_vegetables_legumes_percent"),
            (NutritionFacts(energyKJ: 4000), "invalid energy_kj = 4000.0: more energy than pure fat"),
            (NutritionFacts(energyKcal: 950), "energy_kcal"),
            (NutritionFacts(fat: 10, saturatedFat: 12),
             "inconsistent saturated_fat_g and fat_g: saturated fat 12.0 g exceeds total fat 10.0 g"),
            (NutritionFacts(salt: 1.0, sodium: 0.8), "inconsistent salt_g and sodium_g"),
        ]
        for (facts, expected) in cases {
            let message = try #require(Self.message(facts), "\(facts) should be rejected")
            #expect(message.contains(expected), "\(message)")
            #expect(throws: NutritionError.self) { try NutriScore2023.score(facts, .general) }
        }
    }

    @Test func labelRoundingIsNotAnError() {
        // Saturates printed above total fat by less than a rounding step, salt 0.5 next to sodium 0.19 (0.475): rounding.
        #expect(Self.message(NutritionFacts(fat: 0.5, saturatedFat: 0.55)) == nil)
        #expect(Self.message(NutritionFacts(salt: 0.5, sodium: 0.19)) == nil)
        #expect(Self.message(NutritionFacts(energyKJ: 3700, sugars: 100, fat: 100, saturatedFat: 100)) == nil)
    }

    @Test func productFilesDecode() throws {
        let label = try Self.label("""
            {"name": "Cola", "category": "beverage", "nutrition": {"energy_kj": 180, "sugars_g": 10.6},
             "ingredients": "carbonated water, sugar"}
            """)
        #expect(label.name == "Cola" && label.category == .beverage && label.nutrition.sugars == 10.6)
        #expect(try Self.label(#"{"category": "red_meat"}"#).category == .redMeat)
        #expect(try Self.label(#"{"category": "water"}"#).nutrition == NutritionFacts())
    }

    @Test func malformedProductFilesSayWhatIsWrong() {
        let cases: [(String, String)] = [
            (#"{"category": "snack"}"#, #"unknown category "snack""#),
            (#"{"name": "x"}"#, "missing category"),
            (#"{"category": "general", "nutrition": {"sugars_g": "lots"}}"#, "nutrition.sugars_g is not a number"),
            (#"{"category": "beverage", "nutrition": {"non_nutritive_sweeteners": 1}}"#,
             "nutrition.non_nutritive_sweeteners is not a boolean"),
            (#"{"category": "general", "nutrition": {"salt_g": null}}"#, ""),  // null is "not given"
            ("{not json", "not valid JSON"),
        ]
        for (json, expected) in cases {
            do {
                _ = try Self.label(json)
                #expect(expected.isEmpty, "\(json) should be rejected")
            } catch {
                #expect(!expected.isEmpty && "\(error)".contains(expected), "\(json): \(error)")
            }
        }
    }
}
