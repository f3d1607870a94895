/// A part of the Nutri-Score: negative components raise the score, positive ones lower it.
public enum NutriScoreComponent: String, Codable, Sendable, CaseIterable {
    case energy
    /// Fats category: saturated fat × 37 kJ/g, in place of energy.
    case energyFromSaturates = "energy_from_saturates"
    case sugars
    case saturatedFat = "saturated_fat"
    /// Fats category: saturated fat / total fat in %, in place of saturated fat.
    case saturatesToLipidsRatio = "saturates_to_lipids_ratio"
    case salt
    /// Beverages: 4 points when non-nutritive sweeteners are present.
    case nonNutritiveSweeteners = "non_nutritive_sweeteners"
    case fibre
    case protein
    case fruitsVegetablesLegumes = "fruits_vegetables_legumes"
}

/// A component's points, or the range it could take when its input is missing.
public enum ComponentPoints: Equatable, Sendable {
    case known(Int)
    case unknown(ClosedRange<Int>)

    init(possible: [Int]) {
        let lowest = possible.min() ?? 0, highest = possible.max() ?? 0
        self = lowest == highest ? .known(lowest) : .unknown(lowest...highest)
    }

    public var value: Int? {
        if case let .known(points) = self { return points }
        return nil
    }

    public var range: ClosedRange<Int> {
        switch self {
        case let .known(points): return points...points
        case let .unknown(range): return range
        }
    }
}

public struct ComponentScore: Equatable, Sendable {
    public let component: NutriScoreComponent
    public let points: ComponentPoints
    /// The most points the component can give in this category (protein: after the red-meat cap).
    public let maximum: Int
    /// Every value the points can take, for combining components exactly (the FVL and sweetener
    /// components skip values: 0, 2, 4, 6 and 0, 4).
    let possible: [Int]

    init(_ component: NutriScoreComponent, possible: [Int], maximum: Int) {
        self.component = component
        self.possible = possible
        self.points = ComponentPoints(possible: possible)
        self.maximum = maximum
    }
}

/// A Nutri-Score 2023 result. With every input present the score and grade are exact; with some
/// missing, `scoreRange` and `gradeRange` are the best and worst cases over the missing values.
public struct NutriScoreResult: Equatable, Sendable {
    public enum Status: String, Codable, Sendable {
        /// Every input was present.
        case exact
        /// Some inputs were missing; the grade is bounded by `gradeRange`.
        case estimated
        /// Missing inputs leave every grade of the category possible.
        case unknown
    }

    public let category: NutriScoreCategory
    /// Energy (or energy from saturates), sugars, saturated fat (or the ratio), salt, and for
    /// beverages the sweetener penalty.
    public let negative: [ComponentScore]
    /// Fibre, protein, fruits/vegetables/legumes. Protein's points are listed even when
    /// `proteinCounted` is false.
    public let positive: [ComponentScore]
    /// Whether protein entered the score; `nil` when that depends on a missing value.
    public let proteinCounted: Bool?
    public let scoreRange: ClosedRange<Int>
    public let gradeRange: ClosedRange<NutriGrade>
    public let status: Status
    /// The JSON keys of the missing inputs (see `NutritionFacts`).
    public let missingInputs: [String]

    /// The score, when the missing inputs (if any) cannot change it.
    public var score: Int? { scoreRange.lowerBound == scoreRange.upperBound ? scoreRange.lowerBound : nil }

    /// The grade, when the missing inputs (if any) cannot change it.
    public var grade: NutriGrade? { gradeRange.lowerBound == gradeRange.upperBound ? gradeRange.lowerBound : nil }

    public func points(_ component: NutriScoreComponent) -> ComponentPoints? {
        (negative + positive).first { $0.component == component }?.points
    }

    /// Sum of the negative points (N), when known.
    public var negativeTotal: Int? { Self.total(negative) }

    /// Sum of the positive points that entered the score (P), when known.
    public var positiveTotal: Int? {
        guard let proteinCounted else { return nil }
        return Self.total(positive.filter { proteinCounted || $0.component != .protein })
    }

    private static func total(_ components: [ComponentScore]) -> Int? {
        components.reduce(Optional(0)) { sum, component in
            guard let sum, let points = component.points.value else { return nil }
            return sum + points
        }
    }
}
