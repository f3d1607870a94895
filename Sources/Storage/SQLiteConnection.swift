import CSQLite
import Foundation

/// A connection to an SQLite file. WAL journal with `synchronous=FULL`: every committed
/// transaction is on disk before `COMMIT` returns, so a killed server loses no usage record,
/// and readers in other processes (`muse usage` while serving) never block the writer.
public final class SQLiteConnection: SQLConnection {
    public let dialect = SQLDialect.sqlite
    private let handle: OpaquePointer
    /// Waits this long for another process's write lock before failing with "database is locked".
    static let busyTimeoutMilliseconds: Int32 = 10_000

    public init(path: String) throws(StorageError) {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &db, flags, nil)
        guard status == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            throw .connectionFailed("\(path): \(message)")
        }
        handle = db
        sqlite3_busy_timeout(db, Self.busyTimeoutMilliseconds)
        try executeScript("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON")
    }

    deinit { sqlite3_close_v2(handle) }

    private var lastError: String { String(cString: sqlite3_errmsg(handle)) }

    public func executeScript(_ sql: String) throws(StorageError) {
        var message: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &message)
        defer { sqlite3_free(message) }
        guard status == SQLITE_OK else {
            throw .statementFailed(message: message.map { String(cString: $0) } ?? lastError, statement: sql)
        }
    }

    @discardableResult
    public func execute(_ sql: String, _ parameters: [SQLValue]) throws(StorageError) -> [SQLRow] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw .statementFailed(message: lastError, statement: sql)
        }
        defer { sqlite3_finalize(statement) }
        try bind(parameters, to: statement, sql: sql)
        var rows: [SQLRow] = []
        let columns = Int(sqlite3_column_count(statement))
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else {
                let code = sqlite3_extended_errcode(handle) & 0xff
                if code == SQLITE_CONSTRAINT { throw .constraintViolated(lastError) }
                throw .statementFailed(message: lastError, statement: sql)
            }
            var values: [String: SQLValue] = [:]
            for column in 0..<columns {
                let name = String(cString: sqlite3_column_name(statement, Int32(column))).lowercased()
                values[name] = Self.value(statement, column: Int32(column))
            }
            rows.append(SQLRow(values))
        }
        return rows
    }

    /// `$N` is a named parameter to SQLite, numbered by first appearance; binding by name keeps
    /// `$2` meaning the second value even where the text mentions it first.
    private func bind(_ parameters: [SQLValue], to statement: OpaquePointer, sql: String) throws(StorageError) {
        for (offset, value) in parameters.enumerated() {
            let index = sqlite3_bind_parameter_index(statement, "$\(offset + 1)")
            guard index > 0 else { continue }
            let status: Int32
            switch value {
            case .null: status = sqlite3_bind_null(statement, index)
            case .integer(let number): status = sqlite3_bind_int64(statement, index, number)
            case .real(let number): status = sqlite3_bind_double(statement, index, number)
            case .text(let text): status = sqlite3_bind_text(statement, index, text, -1, Self.transient)
            }
            guard status == SQLITE_OK else { throw .statementFailed(message: lastError, statement: sql) }
        }
    }

    /// SQLITE_TRANSIENT: SQLite copies the bound text before the Swift string goes away.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func value(_ statement: OpaquePointer, column: Int32) -> SQLValue {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, column))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, column))
        case SQLITE_NULL: return .null
        default:
            guard let text = sqlite3_column_text(statement, column) else { return .null }
            return .text(String(cString: text))
        }
    }
}
