import Nutrition

/// Nutri-Score questions generated from a seed, each answered by our Nutri-Score 2023 module
/// (whose own tests pin its tables to worked examples), so the suite checks the model against it.
public enum NutritionSuite {
    public static let name = "nutrition"
    public static let version = "1"
    public static let seed: UInt64 = 5_2023
    public static let count = 30

    public static func header() -> EvalSuite.Header {
        EvalSuite.Header(suite: name, version: version, canary: EvalSuite.canaryPrefix + "-nutrition-v1-0b9e46d2a7c13f85",
                         max_tokens: 32,
                         description: "Generated foods' nutrition facts; the Nutri-Score 2023 grade computed by the Nutrition module.")
    }

    public static func items() throws -> [EvalItem] {
        var random = SplitMix64(seed: seed)
        /// A value in tenths within `range` (in tenths), exact in decimal (10.2, never 10.200000000000001).
        func tenths(_ range: ClosedRange<Int>) -> Double {
            Double(range.lowerBound + Int(random.next() % UInt64(range.upperBound - range.lowerBound + 1))) / 10
        }
        func whole(_ range: ClosedRange<Int>) -> Double {
            Double(range.lowerBound + Int(random.next() % UInt64(range.upperBound - range.lowerBound + 1)))
        }
        return try (0..<count).map { index in
            // Three profiles in turn (lean, middling, rich), so the grades spread over the letters.
            let profile = index % 3
            let facts = NutritionFacts(
                energyKJ: whole([200...900, 600...1600, 1200...2400][profile]),
                sugars: tenths([0...80, 30...200, 150...450][profile]),
                saturatedFat: tenths([0...20, 10...60, 40...150][profile]),
                salt: tenths([0...6, 3...15, 10...30][profile]),
                fibre: tenths([20...90, 10...50, 0...20][profile]),
                protein: tenths([30...200, 20...120, 0...80][profile]),
                fruitsVegetablesLegumesPercent: whole([40...100, 0...60, 0...30][profile]))
            let result = try NutriScore2023.score(facts, .general)
            guard let grade = result.grade else { throw EvaluationError.invalidSuite("nutrition item \(index + 1) has no single grade") }
            func number(_ value: Double?) -> String {
                guard let value else { return "?" }
                return value.rounded() == value ? String(Int(value)) : String(value)
            }
            let prompt = "A food has, per 100 g: energy \(number(facts.energyKJ)) kJ, sugars \(number(facts.sugars)) g, "
                + "saturated fat \(number(facts.saturatedFat)) g, salt \(number(facts.salt)) g, fibre \(number(facts.fibre)) g, "
                + "protein \(number(facts.protein)) g, fruits, vegetables and legumes \(number(facts.fruitsVegetablesLegumesPercent))%. "
                + "What is its Nutri-Score (2023) grade? Answer with one letter from A to E."
            return EvalItem(id: "nutri-\(index + 1)", prompt: prompt, answer: grade.rawValue, check: "choice",
                            source: "Muse Nutrition module, NutriScore2023 (general foods)")
        }
    }
}
