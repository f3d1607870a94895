/// One open connection, used by one thread at a time (the `Database` pool sees to that).
/// Statements use `$1`, `$2`, ... placeholders, which both SQLite and PostgreSQL accept.
public protocol SQLConnection: AnyObject {
    var dialect: SQLDialect { get }
    /// Runs one statement and returns its rows (none for statements without a result).
    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLValue]) throws(StorageError) -> [SQLRow]
    /// Runs several statements separated by semicolons, without parameters (schema changes).
    func executeScript(_ sql: String) throws(StorageError)
}

public enum SQLDialect: String, Sendable {
    case sqlite, postgres
}

extension SQLConnection {
    @discardableResult
    public func execute(_ sql: String, _ parameters: SQLValue...) throws(StorageError) -> [SQLRow] {
        try execute(sql, parameters)
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    /// SQLite's `BEGIN IMMEDIATE` takes the write lock at once, so two processes never both
    /// read a counter and then race to update it.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute(dialect == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }
}
