import Foundation

/// One schema change. Applied once, in order, inside a transaction, and recorded in
/// `schema_migrations`; a shipped migration is never edited, only followed by a new one.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String
}

/// Brings a database to the newest schema. Replicas starting together against one PostgreSQL
/// take an advisory lock first, so each migration runs exactly once; SQLite's `BEGIN IMMEDIATE`
/// does the same between processes sharing a file.
enum Migrator {
    /// Any constant: the advisory lock that serialises migrations between replicas.
    static let postgresLockKey = 0x6D757365  // "muse"

    static func migrate(_ connection: any SQLConnection, migrations: [Migration] = Schema.migrations) throws {
        if connection.dialect == .postgres { try connection.execute("SELECT pg_advisory_lock($1)", .integer(Int64(postgresLockKey))) }
        defer {
            if connection.dialect == .postgres {
                _ = try? connection.execute("SELECT pg_advisory_unlock($1)", .integer(Int64(postgresLockKey)))
            }
        }
        try connection.transaction {
            try connection.execute("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_ms BIGINT NOT NULL)
                """)
            let applied = try connection.execute("SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations")
                .first?.int("version") ?? 0
            let known = migrations.map(\.version).max() ?? 0
            guard applied <= known else { throw StorageError.schemaTooNew(found: applied, known: known) }
            for migration in migrations where migration.version > applied {
                try connection.executeScript(migration.sql)
                try connection.execute("INSERT INTO schema_migrations (version, name, applied_ms) VALUES ($1, $2, $3)",
                                       SQLValue(migration.version), SQLValue(migration.name), SQLValue(Clock.milliseconds()))
            }
        }
    }
}

/// Milliseconds since 1970, the unit of every stored time.
public enum Clock {
    public static func milliseconds(_ date: Date = Date()) -> Int { Int((date.timeIntervalSince1970 * 1000).rounded()) }
}

