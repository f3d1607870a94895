import Nutrition
import Testing

@Test func nutritionErrorsCarryTheirMessage() {
    #expect(NutritionError.invalidFacts("x") == .invalidFacts("x"))
}
