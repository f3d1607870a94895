/// A product's nutrition facts per 100 g (foods) or 100 ml (beverages), as printed on its label.
///
/// Every value is optional: a value the label does not show stays `nil` and is never read as zero
/// (a missing sugar value is uncertainty, not the absence of sugar). JSON keys, all optional:
///
/// | key | unit |
/// |---|---|
/// | `energy_kj` | kJ (preferred when both energies are given) |
/// | `energy_kcal` | kcal, converted at 4.184 kJ/kcal |
/// | `sugars_g` | g |
/// | `fat_g` | g total fat (the fats category's saturates/lipids ratio) |
/// | `saturated_fat_g` | g |
/// | `salt_g` | g |
/// | `sodium_g` | g, read as salt = sodium × 2.5 when `salt_g` is absent |
/// | `fibre_g` (or `fiber_g`) | g, AOAC method |
/// | `protein_g` | g |
/// | `fruits_vegetables_legumes_percent` | % of the product |
/// | `fruits_vegetables_legumes_estimate` | [low, high] % when no share is declared but one is bounded (e.g. by a food group) |
/// | `non_nutritive_sweeteners` | true / false (beverages only) |
public struct NutritionFacts: Equatable, Sendable, Codable {
    public var energyKJDeclared: Double?
    public var energyKcal: Double?
    public var sugars: Double?
    public var fat: Double?
    public var saturatedFat: Double?
    public var saltDeclared: Double?
    public var sodium: Double?
    public var fibre: Double?
    public var protein: Double?
    public var fruitsVegetablesLegumesPercent: Double?
    /// Where the share is not declared but known to lie in a range (a plain raw apple: 80–100 %).
    /// Scored as every value of the range, and still reported missing: the grade is "estimated".
    public var fruitsVegetablesLegumesEstimate: ClosedRange<Double>?
    public var nonNutritiveSweeteners: Bool?

    public init(energyKJ: Double? = nil, energyKcal: Double? = nil, sugars: Double? = nil, fat: Double? = nil,
                saturatedFat: Double? = nil, salt: Double? = nil, sodium: Double? = nil, fibre: Double? = nil,
                protein: Double? = nil, fruitsVegetablesLegumesPercent: Double? = nil,
                fruitsVegetablesLegumesEstimate: ClosedRange<Double>? = nil, nonNutritiveSweeteners: Bool? = nil) {
        energyKJDeclared = energyKJ
        self.energyKcal = energyKcal
        self.sugars = sugars
        self.fat = fat
        self.saturatedFat = saturatedFat
        saltDeclared = salt
        self.sodium = sodium
        self.fibre = fibre
        self.protein = protein
        self.fruitsVegetablesLegumesPercent = fruitsVegetablesLegumesPercent
        self.fruitsVegetablesLegumesEstimate = fruitsVegetablesLegumesEstimate
        self.nonNutritiveSweeteners = nonNutritiveSweeteners
    }

    /// EU labelling's conversion factor (Regulation 1169/2011 declares both from the same basis).
    public static let kilojoulesPerKilocalorie = 4.184
    /// Salt equivalent of sodium, as the EU regulation defines it.
    public static let saltPerGramOfSodium = 2.5

    public var energyKJ: Double? {
        energyKJDeclared ?? energyKcal.map { DerivedValue.clean($0 * Self.kilojoulesPerKilocalorie) }
    }

    public var salt: Double? {
        saltDeclared ?? sodium.map { DerivedValue.clean($0 * Self.saltPerGramOfSodium) }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case energyKJDeclared = "energy_kj"
        case energyKcal = "energy_kcal"
        case sugars = "sugars_g"
        case fat = "fat_g"
        case saturatedFat = "saturated_fat_g"
        case saltDeclared = "salt_g"
        case sodium = "sodium_g"
        case fibre = "fibre_g"
        case fiberAmerican = "fiber_g"
        case protein = "protein_g"
        case fruitsVegetablesLegumesPercent = "fruits_vegetables_legumes_percent"
        case fruitsVegetablesLegumesEstimate = "fruits_vegetables_legumes_estimate"
        case nonNutritiveSweeteners = "non_nutritive_sweeteners"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func number(_ key: CodingKeys) throws -> Double? { try container.decodeIfPresent(Double.self, forKey: key) }
        self.init(energyKJ: try number(.energyKJDeclared), energyKcal: try number(.energyKcal),
                  sugars: try number(.sugars), fat: try number(.fat), saturatedFat: try number(.saturatedFat),
                  salt: try number(.saltDeclared), sodium: try number(.sodium),
                  fibre: try number(.fibre) ?? number(.fiberAmerican), protein: try number(.protein),
                  fruitsVegetablesLegumesPercent: try number(.fruitsVegetablesLegumesPercent),
                  fruitsVegetablesLegumesEstimate: try Self.range(container, .fruitsVegetablesLegumesEstimate),
                  nonNutritiveSweeteners: try container.decodeIfPresent(Bool.self, forKey: .nonNutritiveSweeteners))
    }

    /// `[low, high]` with low ≤ high; anything else is malformed.
    private static func range(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> ClosedRange<Double>? {
        guard let bounds = try container.decodeIfPresent([Double].self, forKey: key) else { return nil }
        guard bounds.count == 2, bounds[0] <= bounds[1] else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "must be [low, high]")
        }
        return bounds[0]...bounds[1]
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(energyKJDeclared, forKey: .energyKJDeclared)
        try container.encodeIfPresent(energyKcal, forKey: .energyKcal)
        try container.encodeIfPresent(sugars, forKey: .sugars)
        try container.encodeIfPresent(fat, forKey: .fat)
        try container.encodeIfPresent(saturatedFat, forKey: .saturatedFat)
        try container.encodeIfPresent(saltDeclared, forKey: .saltDeclared)
        try container.encodeIfPresent(sodium, forKey: .sodium)
        try container.encodeIfPresent(fibre, forKey: .fibre)
        try container.encodeIfPresent(protein, forKey: .protein)
        try container.encodeIfPresent(fruitsVegetablesLegumesPercent, forKey: .fruitsVegetablesLegumesPercent)
        try container.encodeIfPresent(fruitsVegetablesLegumesEstimate.map { [$0.lowerBound, $0.upperBound] },
                                      forKey: .fruitsVegetablesLegumesEstimate)
        try container.encodeIfPresent(nonNutritiveSweeteners, forKey: .nonNutritiveSweeteners)
    }
}

// MARK: - Validation

extension NutritionFacts {
    /// 100 g of pure fat carries 3,700 kJ, the most any food can; the margin covers label rounding.
    public static let maximumEnergyKJ = 3_800.0
    /// Labels round each value separately (EU guidance: to 0.1 g near 10 g), so saturated fat may
    /// print a little above total fat, and salt and sodium may disagree by a rounding step.
    public static let labelRoundingToleranceGrams = 0.1
    /// How far declared salt and sodium × 2.5 may differ relative to the salt before they conflict.
    public static let saltSodiumRelativeTolerance = 0.1

    /// Throws the first value no real label can carry, naming its JSON key.
    public func validate() throws {
        let grams: [(CodingKeys, Double?)] = [
            (.sugars, sugars), (.fat, fat), (.saturatedFat, saturatedFat), (.saltDeclared, saltDeclared),
            (.sodium, sodium), (.fibre, fibre), (.protein, protein),
        ]
        for (key, value) in grams {
            try Self.check(value, key, upTo: 100, because: "more than 100 g in 100 g")
        }
        try Self.check(fruitsVegetablesLegumesPercent, .fruitsVegetablesLegumesPercent, upTo: 100,
                       because: "a share above 100 %")
        for bound in [fruitsVegetablesLegumesEstimate?.lowerBound, fruitsVegetablesLegumesEstimate?.upperBound] {
            try Self.check(bound, .fruitsVegetablesLegumesEstimate, upTo: 100, because: "a share above 100 %")
        }
        try Self.check(energyKJDeclared, .energyKJDeclared, upTo: Self.maximumEnergyKJ,
                       because: "more energy than pure fat")
        try Self.check(energyKcal, .energyKcal, upTo: Self.maximumEnergyKJ / Self.kilojoulesPerKilocalorie,
                       because: "more energy than pure fat")
        if let saturatedFat, let fat, saturatedFat > fat + Self.labelRoundingToleranceGrams {
            throw NutritionError.inconsistentValues(fields: [CodingKeys.saturatedFat.rawValue, CodingKeys.fat.rawValue],
                                                    reason: "saturated fat \(saturatedFat) g exceeds total fat \(fat) g")
        }
        if let saltDeclared, let sodium {
            let fromSodium = sodium * Self.saltPerGramOfSodium
            let allowed = max(Self.labelRoundingToleranceGrams, saltDeclared * Self.saltSodiumRelativeTolerance)
            if abs(fromSodium - saltDeclared) > allowed {
                throw NutritionError.inconsistentValues(
                    fields: [CodingKeys.saltDeclared.rawValue, CodingKeys.sodium.rawValue],
                    reason: "salt \(saltDeclared) g is not sodium \(sodium) g × 2.5 = \(fromSodium) g")
            }
        }
    }

    private static func check(_ value: Double?, _ key: CodingKeys, upTo limit: Double, because reason: String) throws {
        guard let value else { return }
        if !value.isFinite {
            throw NutritionError.invalidValue(field: key.rawValue, value: value, reason: "not a finite number")
        }
        if value < 0 {
            throw NutritionError.invalidValue(field: key.rawValue, value: value, reason: "negative")
        }
        if value > limit {
            throw NutritionError.invalidValue(field: key.rawValue, value: value, reason: reason)
        }
    }
}

/// Values computed from others (kcal → kJ, sodium → salt, saturates/fat ratio) carry binary
/// floating-point noise (0.16 × 2.5 = 0.4000000000000001) that would cross a "strictly greater"
/// threshold the label value sits exactly on; rounding to a resolution far below any label's
/// precision removes the noise and nothing else.
enum DerivedValue {
    /// Steps per unit (1e-9 g, kJ or %); a power of ten is exact in binary, so dividing by it
    /// lands on the same double as the decimal literal a label would give.
    static let stepsPerUnit = 1e9

    static func clean(_ value: Double) -> Double {
        (value * stepsPerUnit).rounded() / stepsPerUnit
    }
}
