import Nutrition
import Testing

/// A missing value is uncertainty, not zero: its component is unknown and the grade becomes the
/// range of the best and worst cases.
@Suite struct MissingValuesTests {
    static let cereal = NutritionFacts(energyKJ: 1604, sugars: 37, saturatedFat: 0.1, salt: 0.73, fibre: 2.0,
                                       protein: 4.5, fruitsVegetablesLegumesPercent: 0)

    @Test func nothingKnownMeansUnknownGrade() throws {
        let result = try NutriScore2023.score(NutritionFacts(), .general)
        #expect(result.status == .unknown)
        #expect(result.grade == nil && result.score == nil)
        #expect(result.gradeRange == NutriGrade.a ... NutriGrade.e)
        // Best case: N = 0, P = 5 + 7 + 5; worst: N = 10 + 15 + 10 + 20, P = 0.
        #expect(result.scoreRange == -17...55)
        #expect(result.negative.allSatisfy { $0.points.value == nil })
        #expect(result.points(.fruitsVegetablesLegumes) == .unknown(0...5))
        #expect(result.proteinCounted == nil && result.negativeTotal == nil)
        #expect(Set(result.missingInputs) == ["energy_kj", "sugars_g", "saturated_fat_g", "salt_g", "fibre_g",
                                              "protein_g", "fruits_vegetables_legumes_percent"])
    }

    @Test func missingFibreAndFruitAreNotScoredAsZero() throws {
        var facts = Self.cereal
        facts.fibre = nil
        facts.fruitsVegetablesLegumesPercent = nil
        let result = try NutriScore2023.score(facts, .general)
        // N = 17 is known; P ranges over fibre 0…5 and FVL 0…5: 17 − 10 … 17 − 0.
        #expect(result.status == .estimated)
        #expect(result.scoreRange == 7...17)
        #expect(result.gradeRange == NutriGrade.c ... NutriGrade.d)
        #expect(result.grade == nil)
        #expect(result.points(.fibre) == .unknown(0...5))
        #expect(result.points(.energy) == .known(4))
        #expect(result.missingInputs == ["fibre_g", "fruits_vegetables_legumes_percent"])
        // With the zeros written on the label the same cereal is exactly D.
        #expect(try NutriScore2023.score(Self.cereal, .general).grade == .d)
    }

    @Test func aGradeCanBeCertainDespiteAMissingValue() throws {
        // Salt 5 → 20, sugars 60 → 15, saturates 20 → 10: N is 45…55 whatever the energy, protein
        // never counts, and every case is E.
        let facts = NutritionFacts(sugars: 60, saturatedFat: 20, salt: 5, fibre: 0, protein: 5,
                                   fruitsVegetablesLegumesPercent: 0)
        let result = try NutriScore2023.score(facts, .general)
        #expect(result.status == .estimated)
        #expect(result.grade == .e)
        #expect(result.scoreRange == 45...55)
        #expect(result.points(.energy) == .unknown(0...10))
        #expect(result.proteinCounted == false)
    }

    @Test func proteinCountingCanDependOnTheMissingValue() throws {
        // Cooked lentils without sugars: N = 3…18, so protein (3) counts only while N < 11.
        // Best: 3 − (5 + 3 + 5) = −10; worst: 18 − (5 + 5) = 8.
        let facts = NutritionFacts(energyKJ: 490, saturatedFat: 0.1, salt: 0.5, fibre: 7.9, protein: 9.0,
                                   fruitsVegetablesLegumesPercent: 100)
        let result = try NutriScore2023.score(facts, .general)
        #expect(result.proteinCounted == nil)
        #expect(result.scoreRange == -10...8)
        #expect(result.gradeRange == NutriGrade.a ... NutriGrade.c)
        #expect(result.positiveTotal == nil)
    }

    @Test func aMissingSweetenerFlagIsZeroOrFour() throws {
        // Cola: N = 12 or 16 → E either way.
        let cola = NutritionFacts(energyKJ: 180, sugars: 10.6, saturatedFat: 0, salt: 0, fibre: 0, protein: 0,
                                  fruitsVegetablesLegumesPercent: 0)
        let result = try NutriScore2023.score(cola, .beverage)
        #expect(result.points(.nonNutritiveSweeteners) == .unknown(0...4))
        #expect(result.scoreRange == 12...16 && result.grade == .e && result.status == .estimated)
        // An unsweetened-looking diet drink: 0 or 4 → B or C.
        let diet = NutritionFacts(energyKJ: 1, sugars: 0, saturatedFat: 0, salt: 0, fibre: 0, protein: 0,
                                  fruitsVegetablesLegumesPercent: 0)
        #expect(try NutriScore2023.score(diet, .beverage).gradeRange == NutriGrade.b ... NutriGrade.c)
    }

    @Test func waterIsAWhateverIsMissing() throws {
        let result = try NutriScore2023.score(NutritionFacts(energyKJ: 0), .water)
        #expect(result.grade == .a && result.status == .estimated)
        #expect(try NutriScore2023.score(NutritionFacts(), .beverage).status == .unknown)
    }

    @Test func fatsWithoutTotalFatBoundTheRatioBySaturates() throws {
        // Olive oil without fat_g: 14 g saturates means fat is 14…100 g, so the ratio is 14…100 %
        // (1…10 points) while energy from saturates stays 4. N = 5…14: protein (0) may not count.
        let facts = NutritionFacts(energyKJ: 3378, sugars: 0, saturatedFat: 14, salt: 0, fibre: 0, protein: 0,
                                   fruitsVegetablesLegumesPercent: 100)
        let result = try NutriScore2023.score(facts, .fat)
        #expect(result.points(.energyFromSaturates) == .known(4))
        #expect(result.points(.saturatesToLipidsRatio) == .unknown(1...10))
        #expect(result.scoreRange == 0...9 && result.gradeRange == NutriGrade.b ... NutriGrade.c)
        #expect(result.missingInputs == ["fat_g"])
    }

    @Test func fatsWithoutSaturatesEnumerateTheirJointPoints() throws {
        // 20 g of fat, saturates unknown (0…20 g): energy from saturates reaches 740 kJ → at most 6,
        // the ratio any of 0…10; both grow together, so the worst case is 6 + 10.
        let facts = NutritionFacts(energyKJ: 800, sugars: 0, fat: 20, salt: 0, fibre: 0, protein: 0,
                                   fruitsVegetablesLegumesPercent: 0)
        let result = try NutriScore2023.score(facts, .fat)
        #expect(result.points(.energyFromSaturates) == .unknown(0...6))
        #expect(result.points(.saturatesToLipidsRatio) == .unknown(0...10))
        #expect(result.scoreRange == 0...16)
        #expect(result.missingInputs == ["saturated_fat_g"])
    }
}
