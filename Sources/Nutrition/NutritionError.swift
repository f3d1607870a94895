/// Why nutrition facts could not be scored.
public enum NutritionError: Error, Equatable, Sendable {
    case invalidFacts(String)
}
