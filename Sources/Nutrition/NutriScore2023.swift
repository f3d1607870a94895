/// The Nutri-Score 2023 algorithm (foods: 2022 update; beverages: 2023 update). Score = N − P,
/// with N the negative points and P the positive points (protein only when it counts).
///
/// Missing inputs are never read as zero, unlike Open Food Facts (which scores them as absent
/// and so flatters products): each missing component contributes every value its table allows,
/// and the result carries the exact best and worst case.
public enum NutriScore2023 {
    public static func score(_ facts: NutritionFacts, _ category: NutriScoreCategory) throws -> NutriScoreResult {
        try facts.validate()
        var reader = ComponentReader()
        let (negative, negativeSums) = category == .fat
            ? fatsNegative(facts, &reader) : negative(facts, category, &reader)
        let positive = positive(facts, category, &reader)
        let protein = positive[1]
        let otherPositive = PossiblePoints.sums(positive[0].possible, positive[2].possible)

        // Protein counting hinges on N alone, so each possible N is taken in turn; the positive
        // components are independent of N and contribute their extremes.
        let proteinAlwaysCounts = category.isBeverage || category == .cheese
        let limit = NutriScoreTables.proteinNegativePointsLimit(category)
        var lowest = Int.max, highest = Int.min
        var counted = Set<Bool>()
        for n in negativeSums {
            let counts = proteinAlwaysCounts || n < limit
            counted.insert(counts)
            let proteinRange = counts ? protein.points.range : 0...0
            lowest = min(lowest, n - (otherPositive.last ?? 0) - proteinRange.upperBound)
            highest = max(highest, n - (otherPositive.first ?? 0) - proteinRange.lowerBound)
        }
        let scoreRange = lowest...max(lowest, highest)
        let gradeRange = NutriScoreTables.grade(score: scoreRange.lowerBound, category)
            ... NutriScoreTables.grade(score: scoreRange.upperBound, category)
        // Unknown only when the range says nothing: water's single reachable grade stays known.
        let saysNothing = gradeRange == NutriScoreTables.reachableGrades(category)
            && gradeRange.lowerBound != gradeRange.upperBound
        let status: NutriScoreResult.Status = reader.missing.isEmpty ? .exact : saysNothing ? .unknown : .estimated
        return NutriScoreResult(category: category, negative: negative, positive: positive,
                                proteinCounted: counted.count == 1 ? counted.first : nil, scoreRange: scoreRange,
                                gradeRange: gradeRange, status: status, missingInputs: reader.missing)
    }

    /// Energy, sugars, saturated fat, salt (and the beverages' sweetener penalty), with every N
    /// they can add up to.
    private static func negative(_ facts: NutritionFacts, _ category: NutriScoreCategory,
                                 _ reader: inout ComponentReader) -> ([ComponentScore], [Int]) {
        let beverage = category.isBeverage
        var negative = [
            reader.component(.energy, facts.energyKJ, beverage ? NutriScoreTables.beverageEnergy : NutriScoreTables.energy,
                             input: "energy_kj"),
            reader.component(.sugars, facts.sugars, beverage ? NutriScoreTables.beverageSugars : NutriScoreTables.sugars,
                             input: "sugars_g"),
            reader.component(.saturatedFat, facts.saturatedFat, NutriScoreTables.saturatedFat, input: "saturated_fat_g"),
            reader.component(.salt, facts.salt, NutriScoreTables.salt, input: "salt_g"),
        ]
        if beverage {
            let penalty = NutriScoreTables.sweetenerPenalty
            let possible = facts.nonNutritiveSweeteners.map { [$0 ? penalty : 0] } ?? [0, penalty]
            if facts.nonNutritiveSweeteners == nil { reader.missing.append("non_nutritive_sweeteners") }
            negative.append(ComponentScore(.nonNutritiveSweeteners, possible: possible, maximum: penalty))
        }
        return (negative, negative.map(\.possible).reduce([0], PossiblePoints.sums))
    }

    /// The fats category's negatives. Its two saturates components share an input, so their
    /// possible sums are enumerated together rather than added as independent ranges.
    private static func fatsNegative(_ facts: NutritionFacts,
                                     _ reader: inout ComponentReader) -> ([ComponentScore], [Int]) {
        let saturates = SaturatesPair.possible(saturatedFat: facts.saturatedFat, fat: facts.fat)
        if facts.saturatedFat == nil { reader.missing.append("saturated_fat_g") }
        if facts.fat == nil { reader.missing.append("fat_g") }
        let sugars = reader.component(.sugars, facts.sugars, NutriScoreTables.sugars, input: "sugars_g")
        let salt = reader.component(.salt, facts.salt, NutriScoreTables.salt, input: "salt_g")
        let negative = [
            ComponentScore(.energyFromSaturates, possible: Array(Set(saturates.map(\.energy))).sorted(),
                           maximum: NutriScoreTables.energyFromSaturates.maximum),
            sugars,
            ComponentScore(.saturatesToLipidsRatio, possible: Array(Set(saturates.map(\.ratio))).sorted(),
                           maximum: NutriScoreTables.saturatesToLipidsRatio.maximum),
            salt,
        ]
        let sums = PossiblePoints.sums(Array(Set(saturates.map { $0.energy + $0.ratio })),
                                       PossiblePoints.sums(sugars.possible, salt.possible))
        return (negative, sums)
    }

    /// Fibre, protein (capped for red meat) and fruits/vegetables/legumes, in that order.
    private static func positive(_ facts: NutritionFacts, _ category: NutriScoreCategory,
                                 _ reader: inout ComponentReader) -> [ComponentScore] {
        let beverage = category.isBeverage
        let fibre = reader.component(.fibre, facts.fibre, NutriScoreTables.fibre, input: "fibre_g")
        var protein = reader.component(.protein, facts.protein,
                                       beverage ? NutriScoreTables.beverageProtein : NutriScoreTables.protein,
                                       input: "protein_g")
        if category == .redMeat {
            let cap = NutriScoreTables.redMeatProteinCap
            protein = ComponentScore(.protein, possible: Array(Set(protein.possible.map { min($0, cap) })).sorted(),
                                     maximum: cap)
        }
        let fruitsVegetablesLegumes = reader.component(
            .fruitsVegetablesLegumes, facts.fruitsVegetablesLegumesPercent,
            beverage ? NutriScoreTables.beverageFruitsVegetablesLegumes : NutriScoreTables.fruitsVegetablesLegumes,
            input: "fruits_vegetables_legumes_percent", estimate: facts.fruitsVegetablesLegumesEstimate)
        return [fibre, protein, fruitsVegetablesLegumes]
    }
}

/// Scores one input at a time, noting the JSON key of each one that is missing.
struct ComponentReader {
    var missing: [String] = []

    /// `estimate` bounds a missing value: its points are those the table gives over the range
    /// (the table is monotone, so the points between the ends' points), and it stays missing.
    mutating func component(_ name: NutriScoreComponent, _ value: Double?, _ table: PointsTable,
                            input: String, estimate: ClosedRange<Double>? = nil) -> ComponentScore {
        guard let value else {
            missing.append(input)
            let possible = estimate.map { range in
                table.possiblePoints.filter { (table.points(range.lowerBound)...table.points(range.upperBound)).contains($0) }
            }
            return ComponentScore(name, possible: possible ?? table.possiblePoints, maximum: table.maximum)
        }
        return ComponentScore(name, possible: [table.points(value)], maximum: table.maximum)
    }
}

/// Sets of possible points, kept sorted and without repeats.
enum PossiblePoints {
    /// Every sum of one value from each set.
    static func sums(_ first: [Int], _ second: [Int]) -> [Int] {
        Array(Set(first.flatMap { a in second.map { a + $0 } })).sorted()
    }
}

/// The fats category's energy-from-saturates and saturates/lipids-ratio points, which both grow
/// with saturated fat. With saturated fat missing, both step functions are constant between
/// their breakpoints, so evaluating at every breakpoint and between each pair of them finds
/// every combination a real product could have.
struct SaturatesPair: Hashable {
    let energy: Int
    let ratio: Int

    /// Largest amount of any nutrient in 100 g, the bound on a missing total fat.
    static let gramsPerHundredGrams = 100.0

    static func possible(saturatedFat: Double?, fat: Double?) -> [SaturatesPair] {
        let candidates: [Double]
        if let saturatedFat {
            candidates = [saturatedFat]
        } else {
            let upper = fat ?? gramsPerHundredGrams
            let energyBreaks = NutriScoreTables.energyFromSaturates.thresholds.map { $0 / NutriScoreTables.kilojoulesPerGramOfFat }
            // With total fat missing the ratio's lowest value is the saturates' own grams (fat = 100 g).
            let ratioBreaks = NutriScoreTables.saturatesToLipidsRatio.thresholds.map { percent in fat.map { percent * $0 / 100 } ?? percent }
            let breaks = Array(Set([0, upper] + (energyBreaks + ratioBreaks).filter { $0 > 0 && $0 < upper })).sorted()
            candidates = breaks + zip(breaks, breaks.dropFirst()).map { ($0 + $1) / 2 }
        }
        var pairs = Set<SaturatesPair>()
        for saturates in candidates {
            let energy = NutriScoreTables.energyFromSaturates.points(
                DerivedValue.clean(saturates * NutriScoreTables.kilojoulesPerGramOfFat))
            for ratio in ratioPoints(saturatedFat: saturates, fat: fat) {
                pairs.insert(SaturatesPair(energy: energy, ratio: ratio))
            }
        }
        return Array(pairs)
    }

    /// The ratio's possible points for a given saturated fat: one value when total fat is known;
    /// otherwise every ratio from saturates / 100 g up to 100 % (fat as low as the saturates).
    private static func ratioPoints(saturatedFat: Double, fat: Double?) -> [Int] {
        let table = NutriScoreTables.saturatesToLipidsRatio
        // No fat means no saturates: the ratio is 0 rather than 0/0 (Open Food Facts does the same).
        guard saturatedFat > 0 else { return [0] }
        guard let fat else { return Array(table.points(saturatedFat)...table.maximum) }
        guard fat > 0 else { return [0] }
        return [table.points(DerivedValue.clean(min(saturatedFat, fat) / fat * 100))]
    }
}
