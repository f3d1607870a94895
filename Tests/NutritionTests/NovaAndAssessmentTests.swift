import Foundation
import Nutrition
import Testing

@Suite struct NovaClassifierTests {
    static func group(_ ingredients: String?) -> Int? {
        NovaClassifier.classify(ingredients: ingredients)?.group
    }

    @Test func unprocessedFoodsAreGroupOne() {
        #expect(Self.group("walnuts") == 1)
        #expect(Self.group("natural mineral water") == 1)
        #expect(Self.group("whole milk, live cultures") == 1)
        #expect(Self.group("tomatoes, tomato juice, acidity regulator: citric acid") == 1)
    }

    @Test func culinaryIngredientsAloneAreGroupTwo() {
        #expect(NovaClassifier.classify(ingredients: "extra virgin olive oil") == NovaClassification(group: 2, markers: ["oil"]))
        #expect(Self.group("cane sugar") == 2)
        #expect(Self.group("sea salt") == 2)
    }

    @Test func foodsWithCulinaryIngredientsOrPreservativesAreGroupThree() {
        #expect(NovaClassifier.classify(ingredients: "pasteurised cow's milk, salt, starter cultures, rennet")
                == NovaClassification(group: 3, markers: ["salt"]))
        #expect(Self.group("wheat flour, water, yeast, salt") == 3)
        #expect(Self.group("chickpeas, water, salt") == 3)
        #expect(NovaClassifier.classify(ingredients: "dried apricots, preservative: sulphur dioxide (E220)")
                == NovaClassification(group: 3, markers: ["preservative", "e220"]))
    }

    @Test func markersOfUltraProcessingAreGroupFour() {
        #expect(NovaClassifier.classify(ingredients: "carbonated water, sugar, colour (caramel E150d), phosphoric acid, natural flavourings, caffeine")
                == NovaClassification(group: 4, markers: ["colour", "e150", "flavourings"]))
        #expect(NovaClassifier.classify(ingredients: "pork (80%), water, rusk (wheat flour, salt), salt, dextrose, preservative (E223)")
                == NovaClassification(group: 4, markers: ["dextrose"]))
        #expect(Self.group("vegetable oil, emulsifier: mono- and diglycerides of fatty acids") == 4)
        #expect(Self.group("corn, sugar, salt, barley malt extract, E-471") == 4)
        #expect(Self.group("wheat flour, palm oil (hydrogenated), salt") == 4)
    }

    @Test func noIngredientListMeansNoGroup() {
        #expect(Self.group(nil) == nil)
        #expect(Self.group("") == nil)
        #expect(Self.group(" , ; ") == nil)
    }

    @Test func wordsMatchWholeNotInside() {
        // "salted" is not "salt", "colourless" is not "colour", "E1" is no additive.
        #expect(Self.group("salted peanuts") == 1)
        #expect(Self.group("colourless spring water, E1 grade potatoes") == 1)
    }

    @Test func sweetenersAreFoundByNameOrNumber() {
        #expect(NovaClassifier.containsNonNutritiveSweetener(ingredients: "water, citric acid, sweeteners (aspartame, acesulfame K)"))
        #expect(NovaClassifier.containsNonNutritiveSweetener(ingredients: "water, E955, flavouring"))
        #expect(NovaClassifier.containsNonNutritiveSweetener(ingredients: "water, steviol glycosides from stevia"))
        // Polyols (E965 maltitol) are nutritive; sugar is no sweetener additive.
        #expect(!NovaClassifier.containsNonNutritiveSweetener(ingredients: "maltitol (E965), sugar, water"))
    }
}

@Suite struct ProductAssessmentTests {
    static let cola = ProductLabel(
        name: "Cola", category: .beverage,
        nutrition: NutritionFacts(energyKJ: 180, sugars: 10.6, saturatedFat: 0, salt: 0, fibre: 0, protein: 0,
                                  fruitsVegetablesLegumesPercent: 0),
        ingredients: "carbonated water, sugar, colour (E150d), phosphoric acid, natural flavourings, caffeine")

    @Test func aBeveragesSweetenerFlagIsReadFromItsIngredients() throws {
        let cola = try ProductAssessment(Self.cola)
        #expect(cola.sweetenersReadFromIngredients && cola.nutriScore.points(.nonNutritiveSweeteners) == .known(0))
        #expect(cola.nutriScore.score == 12 && cola.nutriScore.grade == .e && cola.nova?.group == 4)

        var diet = Self.cola
        diet.nutrition.sugars = 0
        diet.nutrition.energyKJDeclared = 1.6
        diet.ingredients = "carbonated water, colour (E150d), sweeteners (aspartame, acesulfame K), caffeine"
        let dietScore = try ProductAssessment(diet).nutriScore
        #expect(dietScore.points(.nonNutritiveSweeteners) == .known(4) && dietScore.grade == .c)

        var declared = Self.cola
        declared.nutrition.nonNutritiveSweeteners = true
        let declaredScore = try ProductAssessment(declared)
        #expect(!declaredScore.sweetenersReadFromIngredients && declaredScore.nutriScore.score == 16)
    }

    @Test func jsonReportWritesUnknownsAsNull() throws {
        var label = Self.cola
        label.nutrition.fibre = nil
        label.ingredients = nil
        let data = try ProductAssessment(label).jsonData()
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["name"] as? String == "Cola" && object["category"] as? String == "beverage")
        #expect(object["status"] as? String == "estimated")
        #expect(object["score"] is NSNull && object["grade"] is NSNull && object["nova"] is NSNull)
        // N = 12 or 16 (sweeteners unknown without ingredients), fibre 0…5: 7…16 → D…E.
        #expect(object["score_range"] as? [String: Int] == ["min": 7, "max": 16])
        #expect(object["grade_range"] as? [String: String] == ["best": "D", "worst": "E"])
        let positive = try #require(object["positive"] as? [[String: Any]])
        let fibre = try #require(positive.first)
        #expect(fibre["component"] as? String == "fibre" && fibre["points"] is NSNull)
        #expect(fibre["min"] as? Int == 0 && fibre["max"] as? Int == 5 && fibre["out_of"] as? Int == 5)
        #expect(object["missing_inputs"] as? [String] == ["non_nutritive_sweeteners", "fibre_g"])
    }
}
