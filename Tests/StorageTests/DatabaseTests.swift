import Foundation
import Storage
import Testing
import TestSupport

/// The store on both backends: SQLite always, PostgreSQL when scripts/test.sh started one.
@Suite struct DatabaseTests {
    @Test func postgresIsTestedWhenRequired() {
        if TestDatabase.postgresRequired {
            #expect(TestDatabase.postgresURL != nil, "MUSE_REQUIRE_POSTGRES=1 but MUSE_TEST_DATABASE_URL is not set")
        }
    }

    @Test(arguments: try TestDatabase.freshLocations())
    func valuesRoundTrip(location: DatabaseLocation) async throws {
        let database = try Database(location)
        let values: [SQLValue] = [.integer(Int64.max), .integer(-7), .real(0.125), .text("café ☕ \"quoted\" 'x'"), .text(""), .null]
        try await database.run { connection in
            try connection.execute("CREATE TABLE probe (position BIGINT, i BIGINT, r DOUBLE PRECISION, t TEXT)")
            for (position, value) in values.enumerated() {
                let (i, r, t): (SQLValue, SQLValue, SQLValue)
                switch value {
                case .integer: (i, r, t) = (value, .null, .null)
                case .real: (i, r, t) = (.null, value, .null)
                default: (i, r, t) = (.null, .null, value)
                }
                // $4 before $1 in the text: parameters bind by number, not by order of mention.
                try connection.execute("INSERT INTO probe (t, r, i, position) VALUES ($4, $3, $2, $1)", SQLValue(position), i, r, t)
            }
        }
        let rows = try await database.run { connection in try connection.execute("SELECT * FROM probe ORDER BY position") }
        #expect(rows.count == values.count)
        for (row, value) in zip(rows, values) {
            let stored: SQLValue
            switch value {
            case .integer: stored = row["i"]
            case .real: stored = row["r"]
            default: stored = row["t"]
            }
            #expect(stored == value)
        }
    }

    @Test(arguments: try TestDatabase.freshLocations())
    func migrationsRunOnceAndRefuseANewerSchema(location: DatabaseLocation) async throws {
        _ = try Database(location)
        let again = try Database(location)  // a second replica opening the same store
        let versions = try await again.run { connection in
            try connection.execute("SELECT version FROM schema_migrations ORDER BY version").map { try $0.int("version") }
        }
        #expect(versions == Schema.migrations.map(\.version))
        _ = try await again.run { connection in
            try connection.execute("INSERT INTO schema_migrations (version, name, applied_ms) VALUES (999, 'future', 0)")
        }
        #expect(throws: StorageError.schemaTooNew(found: 999, known: Schema.migrations.map(\.version).max() ?? 0)) { try Database(location) }
    }

    @Test(arguments: try TestDatabase.freshLocations())
    func aFailedTransactionLeavesNothing(location: DatabaseLocation) async throws {
        let database = try Database(location)
        struct Abort: Error {}
        _ = try await database.run { connection in try connection.execute("CREATE TABLE t (x BIGINT PRIMARY KEY)") }
        await #expect(throws: Abort.self) {
            try await database.transaction { connection in
                try connection.execute("INSERT INTO t (x) VALUES (1)")
                throw Abort()
            }
        }
        await #expect(throws: StorageError.self) {
            try await database.run { connection in
                try connection.execute("INSERT INTO t (x) VALUES (2)")
                try connection.execute("INSERT INTO t (x) VALUES (2)")
            }
        }
        let count = try await database.run { connection in try connection.execute("SELECT COUNT(*) AS n FROM t").first?.int("n") }
        #expect(count == 1)
    }

    @Test func locationsResolveFromFlags() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("muse-loc-\(UUID().uuidString)").path
        #expect(try DatabaseLocation.resolve(databaseURL: nil, dataDirectory: folder)
                == .sqlite(path: folder + "/" + DatabaseLocation.sqliteFileName))
        #expect(FileManager.default.fileExists(atPath: folder))
        #expect(try DatabaseLocation.resolve(databaseURL: "postgres://u:p@h:5/db", dataDirectory: folder) == .postgres(url: "postgres://u:p@h:5/db"))
        #expect(try DatabaseLocation.resolve(databaseURL: "sqlite:/tmp/x.db", dataDirectory: folder) == .sqlite(path: "/tmp/x.db"))
        #expect(throws: StorageError.self) { try DatabaseLocation.resolve(databaseURL: "mysql://h/db", dataDirectory: folder) }
        #expect(DatabaseLocation.postgres(url: "postgres://u:secret@h:5/db").description == "postgres://u:***@h:5/db")
    }

    @Test func aServerThatIsNotThereIsAClearError() {
        #expect {
            try Database(.postgres(url: "postgres://muse@127.0.0.1:1/muse?connect_timeout=2"))
        } throws: { error in
            guard case StorageError.connectionFailed(let message) = error else { return false }
            return message.contains("127.0.0.1")
        }
        #expect(throws: StorageError.self) { try Database(.sqlite(path: "/proc/no-such-folder/x.sqlite3")) }
    }
}
