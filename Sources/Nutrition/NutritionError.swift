/// Why nutrition facts or a product file could not be scored. Every case names the offending
/// field by its JSON key, so a message can be traced back to the label or file that produced it.
public enum NutritionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A value no label can carry: negative, not a number, or above what 100 g can hold.
    case invalidValue(field: String, value: Double, reason: String)
    /// Two fields that cannot both be true (saturated fat above total fat, salt and sodium apart).
    case inconsistentValues(fields: [String], reason: String)
    /// The product file's JSON could not be read (a missing key, a wrong type, an unknown category).
    case malformedInput(String)

    public var description: String {
        switch self {
        case let .invalidValue(field, value, reason):
            return "invalid \(field) = \(value): \(reason)"
        case let .inconsistentValues(fields, reason):
            return "inconsistent \(fields.joined(separator: " and ")): \(reason)"
        case let .malformedInput(message):
            return "malformed product file: \(message)"
        }
    }
}
