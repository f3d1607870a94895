import CPostgres
import Foundation

/// A connection to a PostgreSQL server through libpq. Parameters travel separately from the
/// SQL text (`PQexecParams`), in text form; results come back as text and are typed by column OID.
public final class PostgresConnection: SQLConnection {
    public let dialect = SQLDialect.postgres
    private let handle: OpaquePointer

    /// `url`: `postgres://user:password@host:port/database` or any libpq connection string.
    public init(url: String) throws(StorageError) {
        guard let connection = PQconnectdb(url) else { throw .connectionFailed("out of memory") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(connection)
            throw .connectionFailed(message)
        }
        handle = connection
        // Notices ("relation already exists, skipping") would go to stderr otherwise.
        try executeScript("SET client_min_messages TO warning")
    }

    deinit { PQfinish(handle) }

    private var lastError: String {
        String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A server restart breaks the connection; libpq's reset reconnects with the same settings, so
    /// the next statement works again (the one that met the broken connection has failed).
    private func reconnectIfNeeded() {
        if PQstatus(handle) != CONNECTION_OK { PQreset(handle) }
    }

    public func executeScript(_ sql: String) throws(StorageError) {
        reconnectIfNeeded()
        guard let result = PQexec(handle, sql) else { throw .statementFailed(message: lastError, statement: sql) }
        defer { PQclear(result) }
        try check(result, sql: sql)
    }

    @discardableResult
    public func execute(_ sql: String, _ parameters: [SQLValue]) throws(StorageError) -> [SQLRow] {
        let texts: [String?] = parameters.map { value in
            switch value {
            case .null: return nil
            case .integer(let number): return String(number)
            case .real(let number): return String(number)
            case .text(let text): return text
            }
        }
        // strdup'd copies: libpq reads the values during the call only.
        let pointers: [UnsafeMutablePointer<CChar>?] = texts.map { $0.flatMap { strdup($0) } }
        defer { pointers.forEach { free($0) } }
        reconnectIfNeeded()
        let result = pointers.map { UnsafePointer($0) }.withUnsafeBufferPointer { values in
            PQexecParams(handle, sql, Int32(parameters.count), nil, values.baseAddress, nil, nil, 0)
        }
        guard let result else { throw .statementFailed(message: lastError, statement: sql) }
        defer { PQclear(result) }
        try check(result, sql: sql)
        return Self.rows(of: result)
    }

    private func check(_ result: OpaquePointer, sql: String) throws(StorageError) {
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY: return
        default:
            let message = String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
            // SQLSTATE class 23: integrity constraint violation.
            if let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))), String(cString: state).hasPrefix("23") {
                throw .constraintViolated(message)
            }
            throw .statementFailed(message: message, statement: sql)
        }
    }

    /// Column types by OID (pg_type): integers, floating and numeric, boolean; the rest as text.
    private static func rows(of result: OpaquePointer) -> [SQLRow] {
        let columns = Int(PQnfields(result)), count = Int(PQntuples(result))
        let names = (0..<columns).map { String(cString: PQfname(result, Int32($0))) }
        let types = (0..<columns).map { PQftype(result, Int32($0)) }
        return (0..<count).map { row in
            var values: [String: SQLValue] = [:]
            for column in 0..<columns {
                let (r, c) = (Int32(row), Int32(column))
                guard PQgetisnull(result, r, c) == 0, let raw = PQgetvalue(result, r, c) else {
                    values[names[column]] = .null
                    continue
                }
                let text = String(cString: raw)
                switch types[column] {
                case 20, 21, 23: values[names[column]] = Int64(text).map(SQLValue.integer) ?? .text(text)
                case 700, 701, 1700: values[names[column]] = Double(text).map(SQLValue.real) ?? .text(text)
                case 16: values[names[column]] = .integer(text == "t" ? 1 : 0)
                default: values[names[column]] = .text(text)
                }
            }
            return SQLRow(values)
        }
    }
}
