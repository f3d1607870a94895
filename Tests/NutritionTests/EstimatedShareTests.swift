import Foundation
import Nutrition
import Testing

/// A fruit/vegetable/legume share bounded by a range (a food-composition table gives no share,
/// its food group bounds it): scored over the range, and the result stays "estimated".
@Suite struct EstimatedShareTests {
    /// Raw apple, USDA SR24 NDB 09003, per 100 g: 52 kcal, sugars 10.39 g, saturates 0.028 g,
    /// sodium 1 mg, fibre 2.4 g, protein 0.26 g.
    static let apple = NutritionFacts(energyKcal: 52, sugars: 10.39, fat: 0.17, saturatedFat: 0.028, sodium: 0.001,
                                      fibre: 2.4, protein: 0.26)

    @Test func aRangeAboveTheTopThresholdGivesItsPointsButStaysEstimated() throws {
        var facts = Self.apple
        facts.fruitsVegetablesLegumesEstimate = 80.5...100
        let result = try NutriScore2023.score(facts, .general)
        // N: energy 217.6 kJ → 0, sugars 10.39 > 10 → 3, saturates → 0, salt 0.0025 g → 0; P: FVL > 80 → 5.
        #expect(result.points(.fruitsVegetablesLegumes) == .known(5))
        #expect(result.score == 3 - 5)
        #expect(result.grade == .a)
        #expect(result.status == .estimated)
        #expect(result.missingInputs == ["fruits_vegetables_legumes_percent"])
    }

    @Test func aRangeAcrossThresholdsGivesEveryPointInBetween() throws {
        var facts = Self.apple
        facts.fruitsVegetablesLegumesEstimate = 50...70
        let result = try NutriScore2023.score(facts, .general)
        #expect(result.points(.fruitsVegetablesLegumes) == .unknown(1...2))
        #expect(result.scoreRange == 1...2)
        // The same facts without the estimate range over the whole table.
        let unbounded = try NutriScore2023.score(Self.apple, .general)
        #expect(unbounded.scoreRange == -2...3)
    }

    @Test func theEstimateRoundTripsThroughJSONAndIsValidated() throws {
        var facts = Self.apple
        facts.fruitsVegetablesLegumesEstimate = 0...40
        let decoded = try JSONDecoder().decode(NutritionFacts.self, from: JSONEncoder().encode(facts))
        #expect(decoded == facts)
        let reversed = Data(#"{"fruits_vegetables_legumes_estimate": [60, 20]}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(NutritionFacts.self, from: reversed) }
        facts.fruitsVegetablesLegumesEstimate = 50...120
        #expect(throws: NutritionError.self) { try facts.validate() }
    }
}
