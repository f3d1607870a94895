/// Which Nutri-Score 2023 algorithm variant a product is scored with.
public enum NutriScoreCategory: String, Codable, Sendable, CaseIterable {
    case general
    /// Drinks, including milk, milk drinks and plant-based drinks (2023 beverage update).
    case beverage
    /// Fats, oils, nuts and seeds (nuts and seeds moved here in the 2022 food update).
    case fat
    /// Cheese: scored with the general tables, but protein always counts.
    case cheese
    /// Red meat products (beef, veal, pork, lamb, mutton, goat, horse, game): general tables,
    /// protein points capped.
    case redMeat = "red_meat"
    /// Plain water: scored with the beverage tables and always graded A.
    case water

    public var isBeverage: Bool { self == .beverage || self == .water }
    /// Water is the only beverage the 2023 beverage update lets reach grade A.
    public var isWater: Bool { self == .water }

    /// The grade this category gives a score (water: always A).
    public func grade(score: Int) -> NutriGrade { NutriScoreTables.grade(score: score, self) }
}

/// A Nutri-Score letter; `A` is the healthiest.
public enum NutriGrade: String, Codable, Sendable, CaseIterable, Comparable {
    case a = "A", b = "B", c = "C", d = "D", e = "E"

    public static func < (lhs: NutriGrade, rhs: NutriGrade) -> Bool {
        lhs.rank < rhs.rank
    }

    private var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
}

/// One points table: a value earns one point per threshold it exceeds.
struct PointsTable: Sendable {
    let thresholds: [Double]
    /// Only the saturates/lipids ratio table counts a value equal to a threshold.
    let countsEqualValues: Bool
    /// Points per threshold crossed, when they are not 1, 2, 3, ... (the FVL tables).
    let pointsForCount: [Int]?

    init(_ thresholds: [Double], countsEqualValues: Bool = false, pointsForCount: [Int]? = nil) {
        self.thresholds = thresholds
        self.countsEqualValues = countsEqualValues
        self.pointsForCount = pointsForCount
    }

    func points(_ value: Double) -> Int {
        let crossed = thresholds.filter { countsEqualValues ? value >= $0 : value > $0 }.count
        return pointsForCount?[crossed] ?? crossed
    }

    /// Every number of points the table can give, for a component whose input is missing.
    var possiblePoints: [Int] {
        pointsForCount.map { Array(Set($0)).sorted() } ?? Array(0...thresholds.count)
    }

    var maximum: Int { possiblePoints.last ?? 0 }
}

/// The 2023 tables, as published in the Scientific Committee's "Update of the Nutri-Score
/// algorithm" reports (foods: 2022, beverages: 2023) and encoded in Open Food Facts'
/// `%points_thresholds_2023` (lib/ProductOpener/Nutriscore.pm). Values per 100 g or 100 ml.
/// Cross-checked against docs/PRODUCT-NOTES.md §5.1: every table, cap and grade boundary agrees.
enum NutriScoreTables {
    // Negative components.
    static let energy = PointsTable([335, 670, 1005, 1340, 1675, 2010, 2345, 2680, 3015, 3350])
    static let sugars = PointsTable([3.4, 6.8, 10, 14, 17, 20, 24, 27, 31, 34, 37, 41, 44, 48, 51])
    static let saturatedFat = PointsTable([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    // Twenty steps of 0.2 g written out: 0.2 * k accumulates binary error (0.6000000000000001).
    static let salt = PointsTable([0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0,
                                   2.2, 2.4, 2.6, 2.8, 3.0, 3.2, 3.4, 3.6, 3.8, 4.0])

    // Fats, oils, nuts and seeds replace energy and saturated fat with these two.
    static let energyFromSaturates = PointsTable([120, 240, 360, 480, 600, 720, 840, 960, 1080, 1200])
    static let saturatesToLipidsRatio = PointsTable([10, 16, 22, 28, 34, 40, 46, 52, 58, 64], countsEqualValues: true)
    /// The energy of 1 g of fat, the official spec's factor for "energy from saturates".
    static let kilojoulesPerGramOfFat = 37.0

    // Beverages.
    static let beverageEnergy = PointsTable([30, 90, 150, 210, 240, 270, 300, 330, 360, 390])
    static let beverageSugars = PointsTable([0.5, 2, 3.5, 5, 6, 7, 8, 9, 10, 11])
    static let sweetenerPenalty = 4
    static let beverageProtein = PointsTable([1.2, 1.5, 1.8, 2.1, 2.4, 2.7, 3.0])
    static let beverageFruitsVegetablesLegumes = PointsTable([40, 60, 80], pointsForCount: [0, 2, 4, 6])

    // Positive components.
    static let fibre = PointsTable([3.0, 4.1, 5.2, 6.3, 7.4])
    static let protein = PointsTable([2.4, 4.8, 7.2, 9.6, 12, 14, 17])
    static let fruitsVegetablesLegumes = PointsTable([40, 60, 80], pointsForCount: [0, 1, 2, 5])
    /// Red meat products may earn at most this many protein points.
    static let redMeatProteinCap = 2

    /// Protein counts only while the negative points stay below this (cheese and beverages
    /// always count it).
    static func proteinNegativePointsLimit(_ category: NutriScoreCategory) -> Int {
        category == .fat ? 7 : 11
    }

    /// The highest score of each grade, best first; a score above the last is E.
    static func gradeUpperBounds(_ category: NutriScoreCategory) -> [(NutriGrade, Int)] {
        switch category {
        case .general, .cheese, .redMeat: return [(.a, 0), (.b, 2), (.c, 10), (.d, 18)]
        case .fat: return [(.a, -6), (.b, 2), (.c, 10), (.d, 18)]
        // No A bound: only water is A, whatever its score.
        case .beverage, .water: return [(.b, 2), (.c, 6), (.d, 9)]
        }
    }

    static func grade(score: Int, _ category: NutriScoreCategory) -> NutriGrade {
        if category.isWater { return .a }
        return gradeUpperBounds(category).first { score <= $0.1 }?.0 ?? .e
    }

    /// The grades a category's score can reach; a range covering all of them says nothing.
    static func reachableGrades(_ category: NutriScoreCategory) -> ClosedRange<NutriGrade> {
        switch category {
        case .water: return .a ... .a
        case .beverage: return .b ... .e
        default: return .a ... .e
        }
    }
}
