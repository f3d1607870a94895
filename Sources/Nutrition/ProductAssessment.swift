import Foundation

/// A product file: `{"name": ..., "category": "general|beverage|fat|cheese|red_meat|water",
/// "nutrition": {NutritionFacts keys}, "ingredients": "..."}`; only `category` is required.
public struct ProductLabel: Codable, Equatable, Sendable {
    public var name: String?
    public var category: NutriScoreCategory
    public var nutrition: NutritionFacts
    public var ingredients: String?

    public init(name: String? = nil, category: NutriScoreCategory, nutrition: NutritionFacts = NutritionFacts(),
                ingredients: String? = nil) {
        self.name = name
        self.category = category
        self.nutrition = nutrition
        self.ingredients = ingredients
    }

    enum CodingKeys: String, CodingKey { case name, category, nutrition, ingredients }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        let categoryName = try container.decode(String.self, forKey: .category)
        guard let category = NutriScoreCategory(rawValue: categoryName) else {
            let known = NutriScoreCategory.allCases.map(\.rawValue).joined(separator: ", ")
            throw NutritionError.malformedInput("unknown category \"\(categoryName)\" (one of: \(known))")
        }
        self.category = category
        nutrition = try container.decodeIfPresent(NutritionFacts.self, forKey: .nutrition) ?? NutritionFacts()
        ingredients = try container.decodeIfPresent(String.self, forKey: .ingredients)
    }

    /// Reads a product file, turning the decoder's errors into messages that name the field.
    public static func decode(_ data: Data) throws -> ProductLabel {
        do {
            return try JSONDecoder().decode(ProductLabel.self, from: data)
        } catch let error as NutritionError {
            throw error
        } catch let DecodingError.keyNotFound(key, context) {
            throw NutritionError.malformedInput("missing \(path(context.codingPath + [key]))")
        } catch let DecodingError.typeMismatch(type, context) {
            throw NutritionError.malformedInput("\(path(context.codingPath)) is not a \(typeName(type))")
        } catch let DecodingError.valueNotFound(type, context) {
            throw NutritionError.malformedInput("\(path(context.codingPath)) is null, expected a \(typeName(type))")
        } catch {
            throw NutritionError.malformedInput("not valid JSON (\(error.localizedDescription))")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map(\.stringValue).joined(separator: ".")
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type: return "number"
        case is Bool.Type: return "boolean (true or false)"
        case is String.Type: return "string"
        default: return "\(type)"
        }
    }
}

/// A product's Nutri-Score and NOVA group, side by side (they measure different things).
public struct ProductAssessment: Sendable {
    public let label: ProductLabel
    public let nutriScore: NutriScoreResult
    public let nova: NovaClassification?
    /// True when a beverage's sweetener flag was missing and was read from its ingredient list,
    /// where EU law requires every sweetener to be named.
    public let sweetenersReadFromIngredients: Bool

    public init(_ label: ProductLabel) throws {
        var facts = label.nutrition
        var inferred = false
        if label.category.isBeverage, facts.nonNutritiveSweeteners == nil, let ingredients = label.ingredients,
           !IngredientText.items(ingredients).isEmpty {
            facts.nonNutritiveSweeteners = NovaClassifier.containsNonNutritiveSweetener(ingredients: ingredients)
            inferred = true
        }
        self.label = label
        nutriScore = try NutriScore2023.score(facts, label.category)
        nova = NovaClassifier.classify(ingredients: label.ingredients)
        sweetenersReadFromIngredients = inferred
    }

    /// The machine-readable form `muse nutrition score --json` prints.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(AssessmentJSON(self))
    }
}

/// The JSON shape of an assessment; unknown values are written as `null`, never left out, so a
/// reader can tell "unknown" from "not reported".
private struct AssessmentJSON: Encodable {
    let assessment: ProductAssessment

    init(_ assessment: ProductAssessment) { self.assessment = assessment }

    enum Keys: String, CodingKey {
        case name, category, status, score, scoreRange = "score_range", grade, gradeRange = "grade_range"
        case proteinCounted = "protein_counted", negative, positive, missingInputs = "missing_inputs", nova
        case sweetenersFromIngredients = "sweeteners_from_ingredients"
        case component, points, min, max, outOf = "out_of", best, worst, group, markers
    }

    func encode(to encoder: any Encoder) throws {
        let result = assessment.nutriScore
        var root = encoder.container(keyedBy: Keys.self)
        try root.encode(assessment.label.name, forKey: .name)
        try root.encode(result.category, forKey: .category)
        try root.encode(result.status, forKey: .status)
        try root.encode(result.score, forKey: .score)
        var scoreRange = root.nestedContainer(keyedBy: Keys.self, forKey: .scoreRange)
        try scoreRange.encode(result.scoreRange.lowerBound, forKey: .min)
        try scoreRange.encode(result.scoreRange.upperBound, forKey: .max)
        try root.encode(result.grade, forKey: .grade)
        var gradeRange = root.nestedContainer(keyedBy: Keys.self, forKey: .gradeRange)
        try gradeRange.encode(result.gradeRange.lowerBound, forKey: .best)
        try gradeRange.encode(result.gradeRange.upperBound, forKey: .worst)
        try root.encode(result.proteinCounted, forKey: .proteinCounted)
        try encodeComponents(result.negative, &root, .negative)
        try encodeComponents(result.positive, &root, .positive)
        try root.encode(result.missingInputs, forKey: .missingInputs)
        try root.encode(assessment.sweetenersReadFromIngredients, forKey: .sweetenersFromIngredients)
        if let nova = assessment.nova {
            var novaContainer = root.nestedContainer(keyedBy: Keys.self, forKey: .nova)
            try novaContainer.encode(nova.group, forKey: .group)
            try novaContainer.encode(nova.markers, forKey: .markers)
        } else {
            try root.encodeNil(forKey: .nova)
        }
    }

    private func encodeComponents(_ components: [ComponentScore], _ root: inout KeyedEncodingContainer<Keys>,
                                  _ key: Keys) throws {
        var list = root.nestedUnkeyedContainer(forKey: key)
        for component in components {
            var item = list.nestedContainer(keyedBy: Keys.self)
            try item.encode(component.component, forKey: .component)
            try item.encode(component.points.value, forKey: .points)
            try item.encode(component.points.range.lowerBound, forKey: .min)
            try item.encode(component.points.range.upperBound, forKey: .max)
            try item.encode(component.maximum, forKey: .outOf)
        }
    }
}
