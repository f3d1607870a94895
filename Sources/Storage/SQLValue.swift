/// A value bound to a statement or read from a row: the types both SQLite and PostgreSQL share.
/// Times are stored as integer milliseconds since 1970, booleans as 0/1, so one SQL text serves both.
public enum SQLValue: Sendable, Equatable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    public init(_ value: Int) { self = .integer(Int64(value)) }
    public init(_ value: String) { self = .text(value) }
    public init(_ value: Int?) { self = value.map { .integer(Int64($0)) } ?? .null }
    public init(_ value: String?) { self = value.map { .text($0) } ?? .null }
    public init(_ value: Bool) { self = .integer(value ? 1 : 0) }
}

/// One result row, by column name (lower case, as both databases report unquoted names).
public struct SQLRow: Sendable, Equatable {
    public let values: [String: SQLValue]

    public init(_ values: [String: SQLValue]) { self.values = values }

    public subscript(column: String) -> SQLValue { values[column] ?? .null }

    public func int(_ column: String) throws(StorageError) -> Int {
        switch self[column] {
        case .integer(let value): return Int(value)
        case .real(let value) where value.rounded() == value: return Int(value)
        case .text(let text): if let value = Int(text) { return value }
        default: break
        }
        throw .unexpectedValue(column: column)
    }

    public func optionalInt(_ column: String) throws(StorageError) -> Int? {
        self[column] == .null ? nil : try int(column)
    }

    public func double(_ column: String) throws(StorageError) -> Double {
        switch self[column] {
        case .integer(let value): return Double(value)
        case .real(let value): return value
        case .text(let text): if let value = Double(text) { return value }
        default: break
        }
        throw .unexpectedValue(column: column)
    }

    public func string(_ column: String) throws(StorageError) -> String {
        guard case .text(let text) = self[column] else { throw .unexpectedValue(column: column) }
        return text
    }

    public func optionalString(_ column: String) throws(StorageError) -> String? {
        self[column] == .null ? nil : try string(column)
    }
}
