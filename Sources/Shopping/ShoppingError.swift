/// Why a shopping operation failed.
public enum ShoppingError: Error, Equatable, Sendable {
    case invalidRow(line: Int, reason: String)
}
