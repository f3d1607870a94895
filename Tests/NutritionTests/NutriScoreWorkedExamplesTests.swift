import Nutrition
import Testing

/// A product scored by hand from the 2023 tables (per 100 g / 100 ml); the comment on each
/// example shows the thresholds each value crosses.
struct WorkedExample: Sendable, CustomTestStringConvertible {
    let name: String
    let category: NutriScoreCategory
    let facts: NutritionFacts
    let negative: [Int]
    let positive: [Int]  // fibre, protein, fruits/vegetables/legumes
    let proteinCounted: Bool
    let score: Int
    let grade: NutriGrade

    var testDescription: String { name }
}

let workedExamples: [WorkedExample] = [
    // Cola, 180 kJ: > 30, 90, 150 → 3. Sugars 10.6: > 0.5, 2, 3.5, 5, 6, 7, 8, 9, 10 → 9. No fat, salt,
    // sweeteners → N = 12. Protein (always counted in drinks) 0, fibre 0, FVL 0 → P = 0. 12 ≥ 10 → E.
    WorkedExample(name: "cola", category: .beverage,
                  facts: NutritionFacts(energyKJ: 180, sugars: 10.6, saturatedFat: 0, salt: 0, fibre: 0, protein: 0,
                                        fruitsVegetablesLegumesPercent: 0, nonNutritiveSweeteners: false),
                  negative: [3, 9, 0, 0, 0], positive: [0, 0, 0], proteinCounted: true, score: 12, grade: .e),
    // The same cola labelled 42 kcal: 42 × 4.184 = 175.7 kJ → still 3 → 12, E.
    WorkedExample(name: "cola in kcal", category: .beverage,
                  facts: NutritionFacts(energyKcal: 42, sugars: 10.6, saturatedFat: 0, salt: 0, fibre: 0, protein: 0,
                                        fruitsVegetablesLegumesPercent: 0, nonNutritiveSweeteners: false),
                  negative: [3, 9, 0, 0, 0], positive: [0, 0, 0], proteinCounted: true, score: 12, grade: .e),
    // Diet cola, 1.6 kJ → 0, sugars 0 → 0, salt 0.02 → 0, sweeteners → 4. N = 4, P = 0. 3–6 → C.
    WorkedExample(name: "diet cola (sweeteners)", category: .beverage,
                  facts: NutritionFacts(energyKJ: 1.6, sugars: 0, saturatedFat: 0, salt: 0.02, fibre: 0, protein: 0,
                                        fruitsVegetablesLegumesPercent: 0, nonNutritiveSweeteners: true),
                  negative: [0, 0, 0, 0, 4], positive: [0, 0, 0], proteinCounted: true, score: 4, grade: .c),
    // Sweetened iced tea with sucralose, 80 kJ: > 30 → 1. Sugars 4.5: > 0.5, 2, 3.5 → 3. Sweeteners 4.
    // N = 8, P = 0. 7–9 → D.
    WorkedExample(name: "iced tea with sugar and sweeteners", category: .beverage,
                  facts: NutritionFacts(energyKJ: 80, sugars: 4.5, saturatedFat: 0, salt: 0.01, fibre: 0, protein: 0,
                                        fruitsVegetablesLegumesPercent: 0, nonNutritiveSweeteners: true),
                  negative: [1, 3, 0, 0, 4], positive: [0, 0, 0], proteinCounted: true, score: 8, grade: .d),
    // Plain water: every component 0 → score 0; water is graded A whatever its score.
    WorkedExample(name: "plain water", category: .water,
                  facts: NutritionFacts(energyKJ: 0, sugars: 0, saturatedFat: 0, salt: 0.01, fibre: 0, protein: 0,
                                        fruitsVegetablesLegumesPercent: 0, nonNutritiveSweeteners: false),
                  negative: [0, 0, 0, 0, 0], positive: [0, 0, 0], proteinCounted: true, score: 0, grade: .a),
    // The same values as a non-water beverage: score 0 ≤ 2 → B (only water is A).
    WorkedExample(name: "water-like beverage", category: .beverage,
                  facts: NutritionFacts(energyKJ: 0, sugars: 0, saturatedFat: 0, salt: 0.01, fibre: 0, protein: 0,
                                        fruitsVegetablesLegumesPercent: 0, nonNutritiveSweeteners: false),
                  negative: [0, 0, 0, 0, 0], positive: [0, 0, 0], proteinCounted: true, score: 0, grade: .b),
    // Orange juice, 190 kJ → 3; sugars 8.8: > 0.5 … 8 → 7; N = 10. FVL 100 % > 80 → 6 (drinks table);
    // protein 0.7 → 0, fibre 0.2 → 0. 10 − 6 = 4 → C.
    WorkedExample(name: "orange juice", category: .beverage,
                  facts: NutritionFacts(energyKJ: 190, sugars: 8.8, saturatedFat: 0, salt: 0, fibre: 0.2, protein: 0.7,
                                        fruitsVegetablesLegumesPercent: 100, nonNutritiveSweeteners: false),
                  negative: [3, 7, 0, 0, 0], positive: [0, 0, 6], proteinCounted: true, score: 4, grade: .c),
    // Semi-skimmed milk (a beverage since 2023), 195 kJ → 3; sugars 4.8: > 0.5, 2, 3.5 → 3; saturates
    // 1.1 → 1; salt 0.1 → 0; N = 7. Protein 3.4 > 3.0 → 7. 7 − 7 = 0 → B.
    WorkedExample(name: "semi-skimmed milk", category: .beverage,
                  facts: NutritionFacts(energyKJ: 195, sugars: 4.8, saturatedFat: 1.1, salt: 0.1, fibre: 0, protein: 3.4,
                                        fruitsVegetablesLegumesPercent: 0, nonNutritiveSweeteners: false),
                  negative: [3, 3, 1, 0, 0], positive: [0, 7, 0], proteinCounted: true, score: 0, grade: .b),
    // Olive oil: saturates 14 g × 37 = 518 kJ: > 120, 240, 360, 480 → 4; ratio 14/100 = 14 % ≥ 10 → 1;
    // N = 5 < 7, protein counts (0). Olive oil counts as 100 % in FVL (the 2019 rule kept in 2023) → 5.
    // 5 − 5 = 0: −5…2 → B.
    WorkedExample(name: "olive oil", category: .fat,
                  facts: NutritionFacts(energyKJ: 3378, sugars: 0, fat: 100, saturatedFat: 14, salt: 0, fibre: 0,
                                        protein: 0, fruitsVegetablesLegumesPercent: 100),
                  negative: [4, 0, 1, 0], positive: [0, 0, 5], proteinCounted: true, score: 0, grade: .b),
    // Walnuts: 6.1 × 37 = 225.7 kJ > 120 → 1; ratio 6.1/65.2 = 9.4 % → 0; sugars 2.6 → 0; salt from
    // sodium 0.002 × 2.5 = 0.005 → 0; N = 1 < 7. Protein 15.2: > 2.4 … 14 → 6; fibre 6.7: > 3.0, 4.1,
    // 5.2, 6.3 → 4; FVL 0 (nuts left FVL in 2023). 1 − 10 = −9 ≤ −6 → A.
    WorkedExample(name: "walnuts", category: .fat,
                  facts: NutritionFacts(energyKJ: 2738, sugars: 2.6, fat: 65.2, saturatedFat: 6.1, sodium: 0.002,
                                        fibre: 6.7, protein: 15.2, fruitsVegetablesLegumesPercent: 0),
                  negative: [1, 0, 0, 0], positive: [4, 6, 0], proteinCounted: true, score: -9, grade: .a),
    // Butter: 54 × 37 = 1998 kJ > 1200 → 10; ratio 54/82 = 65.9 % ≥ 64 → 10; N = 20 ≥ 7, protein not
    // counted. 20 ≥ 19 → E.
    WorkedExample(name: "unsalted butter", category: .fat,
                  facts: NutritionFacts(energyKJ: 3048, sugars: 0.6, fat: 82, saturatedFat: 54, salt: 0.02, fibre: 0,
                                        protein: 0.6, fruitsVegetablesLegumesPercent: 0),
                  negative: [10, 0, 10, 0], positive: [0, 0, 0], proteinCounted: false, score: 20, grade: .e),
    // Cheddar, 416 kcal = 1740.5 kJ: > 335 … 1675 → 5; sugars 0.1 → 0; saturates 21.7 → 10; salt from
    // sodium 0.72 × 2.5 = 1.8, not > 1.8 → 8; N = 23. Cheese always counts protein: 25.4 > 17 → 7.
    // 23 − 7 = 16: 11–18 → D.
    WorkedExample(name: "cheddar", category: .cheese,
                  facts: NutritionFacts(energyKcal: 416, sugars: 0.1, fat: 34.9, saturatedFat: 21.7, sodium: 0.72,
                                        fibre: 0, protein: 25.4, fruitsVegetablesLegumesPercent: 0),
                  negative: [5, 0, 10, 8], positive: [0, 7, 0], proteinCounted: true, score: 16, grade: .d),
    // Beef sausage, 1100 kJ: > 335, 670, 1005 → 3; sugars 1.5 → 0; saturates 8.5 → 8; salt 1.9: > 0.2 …
    // 1.8 → 9; N = 20 ≥ 11, protein not counted (and capped at 2: 14.5 g would be 6). 20 → E.
    WorkedExample(name: "beef sausage", category: .redMeat,
                  facts: NutritionFacts(energyKJ: 1100, sugars: 1.5, saturatedFat: 8.5, salt: 1.9, fibre: 0.5,
                                        protein: 14.5, fruitsVegetablesLegumesPercent: 0),
                  negative: [3, 0, 8, 9], positive: [0, 2, 0], proteinCounted: false, score: 20, grade: .e),
    // Lean beef mince, 520 kJ → 1; saturates 2.2 → 2; salt 0.15 → 0; N = 3 < 11, protein counts:
    // 21 g → 7, capped at 2 for red meat. 3 − 2 = 1 → B (the same values as a general food: −4, A).
    WorkedExample(name: "lean beef mince", category: .redMeat,
                  facts: NutritionFacts(energyKJ: 520, sugars: 0, saturatedFat: 2.2, salt: 0.15, fibre: 0, protein: 21,
                                        fruitsVegetablesLegumesPercent: 0),
                  negative: [1, 0, 2, 0], positive: [0, 2, 0], proteinCounted: true, score: 1, grade: .b),
    WorkedExample(name: "lean mince scored as a general food", category: .general,
                  facts: NutritionFacts(energyKJ: 520, sugars: 0, saturatedFat: 2.2, salt: 0.15, fibre: 0, protein: 21,
                                        fruitsVegetablesLegumesPercent: 0),
                  negative: [1, 0, 2, 0], positive: [0, 7, 0], proteinCounted: true, score: -4, grade: .a),
    // Frosted breakfast cereal, 1604 kJ: > 335 … 1340 → 4; sugars 37: > 3.4 … 34 → 10 (not > 37);
    // saturates 0.1 → 0; salt 0.73: > 0.2, 0.4, 0.6 → 3; N = 17 ≥ 11, protein (4.5 → 1) not counted;
    // fibre 2.0 → 0. 17 → D.
    WorkedExample(name: "frosted breakfast cereal", category: .general,
                  facts: NutritionFacts(energyKJ: 1604, sugars: 37, saturatedFat: 0.1, salt: 0.73, fibre: 2.0,
                                        protein: 4.5, fruitsVegetablesLegumesPercent: 0),
                  negative: [4, 10, 0, 3], positive: [0, 1, 0], proteinCounted: false, score: 17, grade: .d),
    // Porridge oats, 1560 kJ → 4; sugars 1.1 → 0; saturates 1.5 → 1; salt 0.01 → 0; N = 5. Fibre 9 → 5;
    // protein 11: > 2.4, 4.8, 7.2, 9.6 → 4. 5 − 9 = −4 → A.
    WorkedExample(name: "porridge oats", category: .general,
                  facts: NutritionFacts(energyKJ: 1560, sugars: 1.1, saturatedFat: 1.5, salt: 0.01, fibre: 9.0,
                                        protein: 11.0, fruitsVegetablesLegumesPercent: 0),
                  negative: [4, 0, 1, 0], positive: [5, 4, 0], proteinCounted: true, score: -4, grade: .a),
    // Plain whole-milk yoghurt, 257 kJ → 0; sugars 4.7 > 3.4 → 1; saturates 2.1 → 2; salt 0.12 → 0;
    // N = 3. Protein 3.5 > 2.4 → 1. 3 − 1 = 2 → B.
    WorkedExample(name: "plain yoghurt", category: .general,
                  facts: NutritionFacts(energyKJ: 257, sugars: 4.7, saturatedFat: 2.1, salt: 0.12, fibre: 0, protein: 3.5,
                                        fruitsVegetablesLegumesPercent: 0),
                  negative: [0, 1, 2, 0], positive: [0, 1, 0], proteinCounted: true, score: 2, grade: .b),
    // Cooked lentils, 490 kJ → 1; salt 0.5: > 0.2, 0.4 → 2; N = 3. Fibre 7.9 → 5; protein 9.0: > 2.4,
    // 4.8, 7.2 → 3; FVL 100 % → 5. 3 − 13 = −10 → A.
    WorkedExample(name: "cooked lentils", category: .general,
                  facts: NutritionFacts(energyKJ: 490, sugars: 1.8, saturatedFat: 0.1, salt: 0.5, fibre: 7.9, protein: 9.0,
                                        fruitsVegetablesLegumesPercent: 100),
                  negative: [1, 0, 0, 2], positive: [5, 3, 5], proteinCounted: true, score: -10, grade: .a),
]

@Test(arguments: workedExamples)
func workedExampleScoresAsComputedByHand(_ example: WorkedExample) throws {
    let result = try NutriScore2023.score(example.facts, example.category)
    #expect(result.negative.map(\.points) == example.negative.map(ComponentPoints.known))
    #expect(result.positive.map(\.points) == example.positive.map(ComponentPoints.known))
    #expect(result.proteinCounted == example.proteinCounted)
    #expect(result.score == example.score)
    #expect(result.grade == example.grade)
    #expect(result.status == .exact)
    #expect(result.missingInputs.isEmpty)
    #expect(result.negativeTotal == example.negative.reduce(0, +))
}

@Test func componentsAreListedInTheirCategorysOrder() throws {
    let facts = NutritionFacts(energyKJ: 0, sugars: 0, fat: 0, saturatedFat: 0, salt: 0, fibre: 0, protein: 0,
                               fruitsVegetablesLegumesPercent: 0, nonNutritiveSweeteners: false)
    #expect(try NutriScore2023.score(facts, .general).negative.map(\.component) == [.energy, .sugars, .saturatedFat, .salt])
    #expect(try NutriScore2023.score(facts, .fat).negative.map(\.component)
            == [.energyFromSaturates, .sugars, .saturatesToLipidsRatio, .salt])
    #expect(try NutriScore2023.score(facts, .beverage).negative.map(\.component)
            == [.energy, .sugars, .saturatedFat, .salt, .nonNutritiveSweeteners])
    #expect(try NutriScore2023.score(facts, .cheese).positive.map(\.component) == [.fibre, .protein, .fruitsVegetablesLegumes])
    #expect(try NutriScore2023.score(facts, .redMeat).positive.map(\.maximum) == [5, 2, 5])
}
