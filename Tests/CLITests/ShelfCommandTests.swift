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

    /// `muse catalog import-usda` twice (the same rows), then a generic food scored by name.
    @Test func importsGenericFoodsAndScoresOneByName() throws {
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("muse-usda-\(UUID().uuidString)").path
        for _ in 0..<2 {
            let imported = try CLITests.muse(["catalog", "import-usda", "--usda-dir", Self.fixtures + "/usda-sr24", "--data-dir", dataDir])
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(imported.stdout.hasPrefix("imported 4 USDA SR24 foods (0 skipped) from "))
        }
        let scored = try CLITests.muse(["nutrition", "score", "--food", "apples raw", "--data-dir", dataDir, "--json"])
        #expect(scored.status == 0, "\(scored.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(scored.stdout.utf8)) as? [String: Any])
        #expect(object["name"] as? String == "Apples, raw, with skin")
        #expect(object["grade"] as? String == "A" && object["score"] as? Int == -2)
        #expect(object["status"] as? String == "estimated")
        let missing = try CLITests.muse(["catalog", "import-usda", "--usda-dir", "/nonexistent", "--data-dir", dataDir])
        #expect(missing.status != 0 && missing.stderr.contains("scripts/setup.sh"))
    }
}
