import Nutrition
import Testing

/// Every threshold of every 2023 table, transcribed here independently of the implementation:
/// a value just below, at, and just above each one.
struct ThresholdTable: Sendable, CustomTestStringConvertible {
    let name: String
    let category: NutriScoreCategory
    let component: NutriScoreComponent
    let thresholds: [Double]
    /// Points after crossing 0, 1, 2, ... thresholds.
    let points: [Int]
    /// Only the saturates/lipids ratio counts a value equal to its threshold.
    let countsEqual: Bool
    let facts: @Sendable (Double) -> NutritionFacts

    init(_ name: String, _ category: NutriScoreCategory, _ component: NutriScoreComponent, _ thresholds: [Double],
         points: [Int]? = nil, countsEqual: Bool = false, facts: @escaping @Sendable (Double) -> NutritionFacts) {
        self.name = name
        self.category = category
        self.component = component
        self.thresholds = thresholds
        self.points = points ?? Array(0...thresholds.count)
        self.countsEqual = countsEqual
        self.facts = facts
    }

    var testDescription: String { name }
}

/// Far below any label's precision, far above floating-point noise.
let boundaryStep = 0.001

let thresholdTables: [ThresholdTable] = [
    ThresholdTable("energy kJ", .general, .energy, [335, 670, 1005, 1340, 1675, 2010, 2345, 2680, 3015, 3350]) {
        NutritionFacts(energyKJ: $0)
    },
    ThresholdTable("sugars g", .general, .sugars, [3.4, 6.8, 10, 14, 17, 20, 24, 27, 31, 34, 37, 41, 44, 48, 51]) {
        NutritionFacts(sugars: $0)
    },
    ThresholdTable("saturated fat g", .general, .saturatedFat, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
        NutritionFacts(saturatedFat: $0)
    },
    ThresholdTable("salt g", .general, .salt, [0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.2, 2.4, 2.6, 2.8,
                                               3.0, 3.2, 3.4, 3.6, 3.8, 4.0]) { NutritionFacts(salt: $0) },
    ThresholdTable("salt from sodium g", .general, .salt, [0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.2, 2.4,
                                                           2.6, 2.8, 3.0, 3.2, 3.4, 3.6, 3.8, 4.0]) {
        NutritionFacts(sodium: $0 / 2.5)
    },
    ThresholdTable("fibre g", .general, .fibre, [3.0, 4.1, 5.2, 6.3, 7.4]) { NutritionFacts(fibre: $0) },
    ThresholdTable("protein g", .general, .protein, [2.4, 4.8, 7.2, 9.6, 12, 14, 17]) { NutritionFacts(protein: $0) },
    ThresholdTable("FVL %", .general, .fruitsVegetablesLegumes, [40, 60, 80], points: [0, 1, 2, 5]) {
        NutritionFacts(fruitsVegetablesLegumesPercent: $0)
    },
    ThresholdTable("energy from saturates kJ", .fat, .energyFromSaturates,
                   [120, 240, 360, 480, 600, 720, 840, 960, 1080, 1200]) {
        NutritionFacts(fat: 100, saturatedFat: $0 / 37)
    },
    ThresholdTable("saturates/lipids %", .fat, .saturatesToLipidsRatio, [10, 16, 22, 28, 34, 40, 46, 52, 58, 64],
                   countsEqual: true) { NutritionFacts(fat: 50, saturatedFat: $0 / 2) },
    ThresholdTable("beverage energy kJ", .beverage, .energy, [30, 90, 150, 210, 240, 270, 300, 330, 360, 390]) {
        NutritionFacts(energyKJ: $0)
    },
    ThresholdTable("beverage sugars g", .beverage, .sugars, [0.5, 2, 3.5, 5, 6, 7, 8, 9, 10, 11]) {
        NutritionFacts(sugars: $0)
    },
    ThresholdTable("beverage protein g", .beverage, .protein, [1.2, 1.5, 1.8, 2.1, 2.4, 2.7, 3.0]) {
        NutritionFacts(protein: $0)
    },
    ThresholdTable("beverage FVL %", .beverage, .fruitsVegetablesLegumes, [40, 60, 80], points: [0, 2, 4, 6]) {
        NutritionFacts(fruitsVegetablesLegumesPercent: $0)
    },
    ThresholdTable("red meat protein g (capped at 2)", .redMeat, .protein, [2.4, 4.8, 7.2, 9.6, 12, 14, 17],
                   points: [0, 1, 2, 2, 2, 2, 2, 2]) { NutritionFacts(protein: $0) },
]

@Test(arguments: thresholdTables)
func thresholdsScoreBelowAtAndAbove(_ table: ThresholdTable) throws {
    func points(_ value: Double) throws -> ComponentPoints? {
        try NutriScore2023.score(table.facts(value), table.category).points(table.component)
    }
    #expect(try points(0) == .known(0))
    for (crossedBefore, threshold) in table.thresholds.enumerated() {
        let below = table.points[crossedBefore], above = table.points[crossedBefore + 1]
        #expect(try points(threshold - boundaryStep) == .known(below), "just below \(threshold)")
        #expect(try points(threshold) == .known(table.countsEqual ? above : below), "at \(threshold)")
        #expect(try points(threshold + boundaryStep) == .known(above), "just above \(threshold)")
    }
}

@Test func gradeBoundariesOfGeneralFoodsCheeseAndRedMeat() {
    for category in [NutriScoreCategory.general, .cheese, .redMeat] {
        let expected: [(Int, NutriGrade)] = [(-15, .a), (0, .a), (1, .b), (2, .b), (3, .c), (10, .c), (11, .d),
                                             (18, .d), (19, .e), (40, .e)]
        for (score, grade) in expected { #expect(category.grade(score: score) == grade, "\(category) \(score)") }
    }
}

@Test func gradeBoundariesOfFatsOilsNutsAndSeeds() {
    let expected: [(Int, NutriGrade)] = [(-15, .a), (-6, .a), (-5, .b), (0, .b), (2, .b), (3, .c), (10, .c),
                                         (11, .d), (18, .d), (19, .e)]
    for (score, grade) in expected { #expect(NutriScoreCategory.fat.grade(score: score) == grade, "\(score)") }
}

@Test func gradeBoundariesOfBeveragesAndWater() {
    let expected: [(Int, NutriGrade)] = [(-15, .b), (0, .b), (2, .b), (3, .c), (6, .c), (7, .d), (9, .d), (10, .e)]
    for (score, grade) in expected { #expect(NutriScoreCategory.beverage.grade(score: score) == grade, "\(score)") }
    for score in [-15, 0, 10, 40] { #expect(NutriScoreCategory.water.grade(score: score) == .a) }
}

/// A general food whose only points are salt's: its score walks through every grade boundary.
@Test func gradeBoundariesHoldThroughTheWholeScore() throws {
    func grade(salt: Double) throws -> NutriGrade? {
        let facts = NutritionFacts(energyKJ: 0, sugars: 0, saturatedFat: 0, salt: salt, fibre: 0, protein: 0,
                                   fruitsVegetablesLegumesPercent: 0)
        return try NutriScore2023.score(facts, .general).grade
    }
    #expect(try grade(salt: 0.2) == .a)  // 0 points
    #expect(try grade(salt: 0.21) == .b)  // 1
    #expect(try grade(salt: 0.6) == .b)  // 2
    #expect(try grade(salt: 0.61) == .c)  // 3
    #expect(try grade(salt: 2.2) == .c)  // 10
    #expect(try grade(salt: 2.21) == .d)  // 11
    #expect(try grade(salt: 3.8) == .d)  // 18
    #expect(try grade(salt: 3.81) == .e)  // 19
}

@Test func proteinCountsBelowElevenNegativePointsForGeneralFoods() throws {
    // Saturates 10.5 g → 10 (N = 10, protein counts); with salt 0.21 → 1 more, N = 11 (it does not).
    let counted = try NutriScore2023.score(
        NutritionFacts(energyKJ: 0, sugars: 0, saturatedFat: 10.5, salt: 0, fibre: 0, protein: 20, fruitsVegetablesLegumesPercent: 0),
        .general)
    #expect(counted.proteinCounted == true && counted.score == 3)
    let notCounted = try NutriScore2023.score(
        NutritionFacts(energyKJ: 0, sugars: 0, saturatedFat: 10.5, salt: 0.21, fibre: 0, protein: 20,
                       fruitsVegetablesLegumesPercent: 0), .general)
    #expect(notCounted.proteinCounted == false && notCounted.score == 11)
    // A cheese with the same values counts protein anyway.
    let cheese = try NutriScore2023.score(
        NutritionFacts(energyKJ: 0, sugars: 0, saturatedFat: 10.5, salt: 0.21, fibre: 0, protein: 20,
                       fruitsVegetablesLegumesPercent: 0), .cheese)
    #expect(cheese.proteinCounted == true && cheese.score == 4)
}

@Test func proteinCountsBelowSevenNegativePointsForFats() throws {
    // Salt 1.4 → 6 (counts) and 1.41 → 7 (does not); saturates 0 → 0 for both fat components.
    func score(salt: Double) throws -> NutriScoreResult {
        try NutriScore2023.score(NutritionFacts(energyKJ: 2500, sugars: 0, fat: 50, saturatedFat: 0, salt: salt,
                                                fibre: 0, protein: 20, fruitsVegetablesLegumesPercent: 0), .fat)
    }
    #expect(try score(salt: 1.4).proteinCounted == true)
    #expect(try score(salt: 1.4).score == -1)
    #expect(try score(salt: 1.41).proteinCounted == false)
    #expect(try score(salt: 1.41).score == 7)
}

@Test func beveragesAlwaysCountProtein() throws {
    let result = try NutriScore2023.score(
        NutritionFacts(energyKJ: 400, sugars: 12, saturatedFat: 2.5, salt: 0, fibre: 0, protein: 3.5,
                       fruitsVegetablesLegumesPercent: 0, nonNutritiveSweeteners: false), .beverage)
    #expect(result.negativeTotal == 22 && result.proteinCounted == true && result.score == 15)
}
