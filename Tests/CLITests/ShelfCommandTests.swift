import Foundation
import Testing

/// `muse catalog import` then `muse nutrition shelf` as a user runs them, on the generated set.
@Suite struct ShelfCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../ShelfTests/Fixtures").path

    @Test func importsACatalogueAndRanksAShelfFromTheStore() throws {
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("muse-shelf-\(UUID().uuidString)").path
        let imported = try CLITests.muse(["catalog", "import", Self.fixtures + "/catalogue.csv", "--data-dir", dataDir])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.hasPrefix("imported 32 products from "))

        let table = try CLITests.muse(["nutrition", "shelf", Self.fixtures + "/shelf-01.jpg", "--data-dir", dataDir])
        #expect(table.status == 0, "\(table.stderr)")
        // shelf-01 (see ShelfSetTests): three C grades, dark chocolate (E) last.
        let rows = table.stdout.split(separator: "\n").dropFirst()
        #expect(rows.count == 4, "\(table.stdout)")
        #expect(rows.last?.contains("Fenwick Dark Chocolate") == true)
        #expect(rows.last?.contains(" E ") == true)

        let json = try CLITests.muse(["nutrition", "shelf", Self.fixtures + "/shelf-01.jpg", "--data-dir", dataDir, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["ranking"] as? [[String: Any]])?.count == 4)
    }

    @Test func anEmptyCatalogueOrABadFileIsExplained() throws {
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("muse-shelf-\(UUID().uuidString)").path
        let empty = try CLITests.muse(["nutrition", "shelf", Self.fixtures + "/shelf-01.jpg", "--data-dir", dataDir])
        #expect(empty.status != 0)
        #expect(empty.stderr.contains("the catalogue is empty"))
        let bad = try CLITests.muse(["catalog", "import", Self.fixtures + "/shelf-truth.json", "--data-dir", dataDir])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("catalogue files are .csv or .jsonl"))
    }
}
