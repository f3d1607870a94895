import Foundation
import Testing

/// `muse nutrition score` as a user runs it: the table, `--json`, and bad files.
@Suite struct NutritionCommandTests {
    static func file(_ contents: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("muse-nutrition-\(UUID().uuidString).json").path
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static let cola = """
        {"name": "Cola", "category": "beverage",
         "nutrition": {"energy_kcal": 42, "sugars_g": 10.6, "fat_g": 0, "saturated_fat_g": 0, "salt_g": 0,
                       "fibre_g": 0, "protein_g": 0, "fruits_vegetables_legumes_percent": 0},
         "ingredients": "carbonated water, sugar, colour (caramel E150d), phosphoric acid, natural flavourings, caffeine"}
        """

    @Test func scoresAProductAsATable() throws {
        let run = try CLITests.muse(["nutrition", "score", try Self.file(Self.cola)])
        #expect(run.status == 0, "\(run.stderr)")
        for expected in ["Cola — beverage", "− energy", "− sugars", "+ protein", "score: 12 (N 12 − P 0)", "Nutri-Score: E",
                         "NOVA group: 4", "sweeteners: read from the ingredient list"] {
            #expect(run.stdout.contains(expected), "\(expected) in\n\(run.stdout)")
        }
    }

    @Test func printsJSONWithJSONFlag() throws {
        let run = try CLITests.muse(["nutrition", "score", try Self.file(Self.cola), "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(object["score"] as? Int == 12 && object["grade"] as? String == "E" && object["status"] as? String == "exact")
        let negative = try #require(object["negative"] as? [[String: Any]])
        #expect(negative.map { $0["points"] as? Int } == [3, 9, 0, 0, 0])
        #expect((object["nova"] as? [String: Any])?["group"] as? Int == 4)
    }

    @Test func missingValuesGiveAnEstimatedGrade() throws {
        let path = try Self.file(#"{"name": "Cereal", "category": "general", "nutrition": {"energy_kj": 1604, "sugars_g": 37, "saturated_fat_g": 0.1, "salt_g": 0.73, "protein_g": 4.5}}"#)
        let run = try CLITests.muse(["nutrition", "score", path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("Nutri-Score: C–D (estimated)") && run.stdout.contains("score: 7…17"), "\(run.stdout)")
        #expect(run.stdout.contains("unknown (0–5)") && run.stdout.contains("missing: fibre_g"))
        #expect(run.stdout.contains("NOVA group: unknown"))
    }

    @Test func badFilesFailWithAMessage() throws {
        let missing = try CLITests.muse(["nutrition", "score", "/nonexistent/product.json"])
        #expect(missing.status != 0 && missing.stderr.contains("cannot read /nonexistent/product.json"), "\(missing.stderr)")
        #expect(missing.stdout.isEmpty)

        let malformed = try CLITests.muse(["nutrition", "score", try Self.file("{\"category\": ")])
        #expect(malformed.status != 0 && malformed.stderr.contains("not valid JSON"), "\(malformed.stderr)")

        let invalid = try CLITests.muse(["nutrition", "score", try Self.file(#"{"category": "general", "nutrition": {"sugars_g": 130}}"#)])
        #expect(invalid.status != 0 && invalid.stderr.contains("sugars_g = 130.0"), "\(invalid.stderr)")

        let category = try CLITests.muse(["nutrition", "score", try Self.file(#"{"category": "snack"}"#)])
        #expect(category.status != 0 && category.stderr.contains("unknown category \"snack\""), "\(category.stderr)")
    }
}
