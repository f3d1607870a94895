import Evaluation
import Foundation
import Shelf
import Shopping
import Storage

/// A `muse serve` of this same binary on a free loopback port, for an eval run.
enum LocalServer {
    /// - Parameter setup: the suites' `setup` headers: `catalog` (a catalogue file imported into the
    ///   server's store, as `muse catalog import` does) and `shopping_world` (a world seeded into it,
    ///   as `muse shopping seed` does).
    /// Returns the process, its port and the model file's SHA-256 (from its start line).
    static func start(setup: [[String: String]]) async throws -> (process: Process, port: Int, modelSHA256: String?) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).standardizedFileURL
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("muse-eval-\(UUID().uuidString)").path
        try await prepare(dataDirectory: data, setup: setup)
        process.arguments = ["serve", "--port", "0", "--auth", "off", "--data-dir", data, "--ctx", "2048"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var text = ""
        for _ in 0..<1200 {  // 120 s
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty, !process.isRunning { break }
            text += String(decoding: chunk, as: UTF8.self)
            if let range = text.range(of: "on http://127.0.0.1:"), let port = Int(text[range.upperBound...].prefix { $0.isNumber }) {
                let sha = text.range(of: "(sha256 ").map { String(text[$0.upperBound...].prefix { $0.isHexDigit }) }
                return (process, port, sha?.count == 64 ? sha : nil)
            }
        }
        process.terminate()
        throw CommandFailure("eval: the server did not start: \(text)")
    }

    static func prepare(dataDirectory: String, setup: [[String: String]]) async throws {
        let catalogs = Set(setup.compactMap { $0["catalog"] }).sorted()
        let worlds = Set(setup.compactMap { $0["shopping_world"] }).sorted()
        guard !catalogs.isEmpty || !worlds.isEmpty else { return }
        guard worlds.count <= 1 else { throw CommandFailure("eval: suites ask for different shopping worlds: \(worlds)") }
        do {
            let database = try Database(try DatabaseLocation.resolve(databaseURL: nil, dataDirectory: dataDirectory), connections: 1)
            for file in catalogs {
                let written = try await ProductCatalog(database: database).importProducts(try CatalogFile.read(path: file))
                printError("eval: imported \(written) catalogue products from \(file) into the server's store")
            }
            if let text = worlds.first {
                guard let parameters = ShoppingSuite.world(from: text) else { throw CommandFailure("eval: bad shopping_world '\(text)'") }
                try await ShoppingStore(database: database).insert(try WorldGenerator(parameters).generate())
                printError("eval: seeded the shopping world \(text) into the server's store")
            }
        } catch let failure as CommandFailure { throw failure } catch { throw CommandFailure("eval: preparing the server's store: \(error)") }
    }

    static func gitCommit() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = ["rev-parse", "HEAD"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        process.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return process.terminationStatus == 0 && !text.isEmpty ? text : nil
    }
}
