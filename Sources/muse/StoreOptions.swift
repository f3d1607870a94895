import ArgumentParser
import Foundation
import Storage

/// Where keys, usage and (later) conversations live; shared by `serve`, `keys` and `usage`.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"),
            help: "Folder of the embedded SQLite store (env MUSE_DATA_DIR; default $XDG_DATA_HOME/muse or ~/.local/share/muse).")
    var dataDir: String?

    @Option(name: .customLong("database-url"),
            help: "postgres://user:password@host:port/db to share the store between replicas, or sqlite:PATH (env MUSE_DATABASE_URL).")
    var databaseURL: String?

    @Option(help: "Config file in TOML (env MUSE_CONFIG; default ~/.config/muse/muse.toml when it exists).")
    var config: String?

    func sources() throws -> SettingSources { SettingSources(config: try ConfigFile.load(explicitPath: config)) }

    func location(_ sources: SettingSources) throws -> DatabaseLocation {
        let dataDirectory = sources.string(dataDir, env: "MUSE_DATA_DIR", key: "data-dir") ?? DatabaseLocation.defaultDataDirectory()
        do {
            return try DatabaseLocation.resolve(databaseURL: sources.string(databaseURL, env: "MUSE_DATABASE_URL", key: "database-url"),
                                                dataDirectory: dataDirectory)
        } catch { throw CommandFailure(error) }
    }

    func open(_ sources: SettingSources, connections: Int = 1) throws -> Database {
        let location = try location(sources)
        do { return try Database(location, connections: connections) } catch { throw CommandFailure("\(location): \(error)") }
    }
}
