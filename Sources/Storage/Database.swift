import Foundation

/// Where the store lives: an SQLite file (the embedded default) or a PostgreSQL server that
/// several `muse serve` replicas share.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    public static let sqliteFileName = "muse.sqlite3"

    /// `--database-url` wins when given (`postgres://`, `postgresql://`, `sqlite:PATH` or
    /// `sqlite://PATH`); otherwise the SQLite file in `dataDirectory`, created if missing.
    public static func resolve(databaseURL: String?, dataDirectory: String) throws(StorageError) -> DatabaseLocation {
        if let url = databaseURL?.trimmingCharacters(in: .whitespaces), !url.isEmpty {
            if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") { return .postgres(url: url) }
            for prefix in ["sqlite://", "sqlite:"] where url.hasPrefix(prefix) {
                let path = String(url.dropFirst(prefix.count))
                guard !path.isEmpty else { break }
                return .sqlite(path: path)
            }
            throw .invalidLocation("'\(Self.redacted(url))' is neither postgres://... nor sqlite:PATH")
        }
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw .invalidLocation("cannot create the data folder \(dataDirectory): \(error.localizedDescription)")
        }
        return .sqlite(path: (dataDirectory as NSString).appendingPathComponent(sqliteFileName))
    }

    /// The folder used when neither `--data-dir` nor MUSE_DATA_DIR is given: $XDG_DATA_HOME/muse
    /// or ~/.local/share/muse.
    public static func defaultDataDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty { return xdg + "/muse" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share/muse"
    }

    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgres(let url): return Self.redacted(url)
        }
    }

    /// The URL with its password replaced, for logs and errors.
    static func redacted(_ url: String) -> String {
        guard let at = url.range(of: "@"), let scheme = url.range(of: "://"),
              let colon = url[scheme.upperBound..<at.lowerBound].firstIndex(of: ":") else { return url }
        return String(url[..<url.index(after: colon)]) + "***" + String(url[at.lowerBound...])
    }
}

/// The store: a few connections, each used by one serial queue, so blocking SQL calls never
/// run on Swift's cooperative threads. Opening it applies any missing migrations.
public final class Database: Sendable {
    public let location: DatabaseLocation
    public let dialect: SQLDialect
    private let workers: [Worker]
    private let cursor = RoundRobin()

    /// One connection and the queue that owns it.
    final class Worker: @unchecked Sendable {  // `connection` is touched only on `queue`
        let queue: DispatchQueue
        let connection: any SQLConnection
        init(_ connection: any SQLConnection, label: String) {
            self.connection = connection
            queue = DispatchQueue(label: label)
        }
    }

    /// `connections`: for PostgreSQL, statements run in parallel on this many; SQLite has one
    /// writer at a time anyway, so it gets one connection.
    public init(_ location: DatabaseLocation, connections: Int = 4) throws {
        self.location = location
        switch location {
        case .sqlite(let path):
            dialect = .sqlite
            workers = [Worker(try SQLiteConnection(path: path), label: "muse.db.0")]
        case .postgres(let url):
            dialect = .postgres
            workers = try (0..<max(1, connections)).map { index in
                Worker(try PostgresConnection(url: url), label: "muse.db.\(index)")
            }
        }
        guard let first = workers.first else { throw StorageError.connectionFailed("no connection") }
        try first.queue.sync { try Migrator.migrate(first.connection) }
    }

    /// Runs `body` with a connection, off the caller's thread.
    @discardableResult
    public func run<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        let worker = workers[cursor.next(workers.count)]
        return try await withCheckedThrowingContinuation { continuation in
            worker.queue.async {
                do { continuation.resume(returning: try body(worker.connection)) } catch { continuation.resume(throwing: error) }
            }
        }
    }

    /// Runs `body` in one transaction (committed on return, rolled back on a throw).
    @discardableResult
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await run { connection in try connection.transaction { try body(connection) } }
    }

    /// The same, blocking the calling thread: for command-line tools and tests.
    public func runBlocking<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        let worker = workers[cursor.next(workers.count)]
        return try worker.queue.sync { try body(worker.connection) }
    }
}

final class RoundRobin: @unchecked Sendable {  // `value` behind `lock`
    private let lock = NSLock()
    private var value = 0
    func next(_ count: Int) -> Int {
        lock.withLock {
            value = (value + 1) % count
            return value
        }
    }
}
