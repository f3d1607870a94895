import Foundation
import Storage

/// Fresh, empty stores for tests: always an SQLite file in a temporary folder, and a new
/// database on the PostgreSQL server named by MUSE_TEST_DATABASE_URL when it is set
/// (`scripts/test.sh` starts one from Debian's packages and sets it).
public enum TestDatabase {
    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["MUSE_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Set by scripts/test.sh: then a missing PostgreSQL is a failure, not a skipped half.
    public static var postgresRequired: Bool { ProcessInfo.processInfo.environment["MUSE_REQUIRE_POSTGRES"] == "1" }

    /// One new location per backend available.
    public static func freshLocations() throws -> [DatabaseLocation] {
        var locations = [try freshSQLite()]
        if let url = postgresURL { locations.append(try freshPostgres(serverURL: url)) }
        return locations
    }

    public static func freshSQLite() throws -> DatabaseLocation {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("muse-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return .sqlite(path: folder.appendingPathComponent(DatabaseLocation.sqliteFileName).path)
    }

    /// Creates database `test_<random>` on the server and returns its URL.
    public static func freshPostgres(serverURL: String) throws -> DatabaseLocation {
        let name = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let admin = try PostgresConnection(url: serverURL)
        try admin.execute("CREATE DATABASE \(name)")
        guard var components = URLComponents(string: serverURL) else { throw StorageError.invalidLocation(serverURL) }
        components.path = "/" + name
        guard let url = components.string else { throw StorageError.invalidLocation(serverURL) }
        return .postgres(url: url)
    }
}
