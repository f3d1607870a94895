import Evaluation
import Foundation
import Shopping
import Testing

/// The shelf-photo and shopping-retrieval suites (generated from fixtures and a seeded world), the
/// phrase form of `one_of`, the `shopping` check, and the results table.
@Suite struct RetrievalSuiteTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL
    static let suites = root.appendingPathComponent("evals/suites")

    func check(_ check: String, _ output: String, answer: String) -> Bool {
        Scorer.score(output: output, item: EvalItem(id: "x", prompt: "p", answer: answer, check: check)).correct
    }

    @Test func oneOfTakesTheEarliestPhraseAndTheLongestAtOnePlace() {
        let options = "one_of:Orange Juice,Classic Cola,Still Spring Water,Orange"
        #expect(check(options, "The healthiest is Still Spring Water (A).", answer: "Still Spring Water"))
        #expect(!check(options, "Classic Cola, then Still Spring Water.", answer: "Still Spring Water"), "the first named counts")
        #expect(check(options, "orange juice is best", answer: "Orange Juice"), "the longest option at one place")
        #expect(!check(options, "Spring water", answer: "Still Spring Water"), "the whole phrase, word by word")
    }

    @Test func committedShelfSuiteIsItsGeneratorsOutputWithThePhotos() throws {
        let file = Self.suites.appendingPathComponent("shelf-v1.jsonl")
        #expect(try String(contentsOf: file, encoding: .utf8)
                == (try EvalSuite.text(header: ShelfSuite.header(), items: try ShelfSuite.items(root: Self.root.path))))
        let suite = try EvalSuite(contentsOf: file)
        #expect(suite.items.count >= 16 && suite.header.setup?["catalog"] == ShelfSuite.catalogue)
        for item in suite.items {
            let options = Scorer.argument(item.check).split(separator: ",").map(String.init)
            #expect(Scorer.kind(item.check) == "one_of" && options.contains(item.answer) && options.count >= 2, "\(item.id)")
            let photo = String(item.id.prefix { $0 != "-" }) + "-" + String(item.id.split(separator: "-")[1]) + ".jpg"
            let bytes = try Data(contentsOf: Self.root.appendingPathComponent(ShelfSuite.folder + "/" + photo))
            #expect(item.image == "data:image/jpeg;base64," + bytes.base64EncodedString(), "\(item.id) carries \(photo)")
        }
        // Checked by hand (`muse nutrition shelf PHOTO --catalog catalogue.jsonl`): porridge oats (A, -3 points) beat water (A, 0) on
        // shelf-02, and dark chocolate (E, 20 points) is the worst of shelf-04.
        #expect(suite.items.first { $0.id == "shelf-02-best" }?.answer == "Porridge Oats")
        #expect(suite.items.first { $0.id == "shelf-04-worst" }?.answer == "Dark Chocolate")
    }

    @Test func committedShoppingSuiteIsItsGeneratorsOutputAndSatisfiable() throws {
        let file = Self.suites.appendingPathComponent("shopping-v1.jsonl")
        #expect(try String(contentsOf: file, encoding: .utf8)
                == (try EvalSuite.text(header: try ShoppingSuite.header(), items: try ShoppingSuite.items())))
        let suite = try EvalSuite(contentsOf: file)
        #expect(suite.items.count == ShoppingSuite.count && suite.header.mode == "shopping")
        #expect(ShoppingSuite.world(from: suite.header.setup?["shopping_world"] ?? "") == ShoppingSuite.world)
        let reference = suite.header.reference ?? []
        #expect(reference.count == ShoppingSuite.world.products)
        for item in suite.items {
            // An answer listing only catalogue lines that fit is correct: some product fits every request.
            let fitting = reference.enumerated().map { "\($0.offset + 1). \($0.element). Why: matches." }
                .filter { Scorer.score(output: $0, item: item, reference: Set(reference)).correct }
            #expect(!fitting.isEmpty, "\(item.id): \(item.prompt)")
        }
    }

    @Test func shoppingCheckWantsCatalogueProductsAtTheirPricesAndOneFit() {
        let reference: Set<String> = ["Cosy grey wool scarf by Loom Cosy 1: €34.99", "Bold red wool scarf by Loom Bold 1: €59.99",
                                      "Cosy grey cotton tee by Loom Cosy 1: €19.99"]
        let item = EvalItem(id: "s", prompt: "Find me a wool scarf under €40.", answer: "a wool scarf at or under €40.00",
                            check: "shopping:words=wool,scarf;max_cents=4000")
        func score(_ output: String) -> Bool { Scorer.score(output: output, item: item, reference: reference).correct }
        let good = "Here is what I found in the catalogue:\n1. Cosy grey wool scarf by Loom Cosy 1: €34.99. Why: popular.\n"
            + "2. Cosy grey cotton tee by Loom Cosy 1: €19.99 (out of stock). Why: same style.\nAll at or under €40.00."
        #expect(score(good))
        #expect(!score(good.replacingOccurrences(of: "€34.99", with: "€24.99")), "a price that is not the catalogue's")
        #expect(!score(good.replacingOccurrences(of: "Cosy grey wool scarf", with: "Cosy grey silk scarf")), "a product not in the catalogue")
        #expect(!score("1. Bold red wool scarf by Loom Bold 1: €59.99. Why: bold."), "none at or under the ceiling")
        #expect(!score("I found nothing in the catalogue that matches this."), "nothing listed")
        let hyphen = EvalItem(id: "h", prompt: "p", answer: "a", check: "shopping:words=gore-tex,tote,bag;max_cents=11000")
        #expect(Scorer.score(output: "1. Trail olive gore-tex tote bag by North Outdoor 1: $99.99. Why: x.", item: hyphen,
                             reference: ["Trail olive gore-tex tote bag by North Outdoor 1: $99.99"]).correct, "words as runs of letters")
    }

    @Test func resultsTablePutsModesSideBySideAndNamesStrengthsAndWeaknesses() throws {
        func run(_ suite: String, _ mode: String, _ correct: Int, _ total: Int) -> String {
            let p = Proportion(correct: correct, total: total)
            return #"{"suite":"\#(suite)","suiteVersion":"1","suiteSHA256":"x","suiteFile":"f","mode":"\#(mode)","temperature":0,"#
                + #""maxTokens":8,"seed":1,"score":{"correct":\#(correct),"total":\#(total),"value":\#(p.value),"low":\#(p.low),"#
                + #""high":\#(p.high)},"samples":[]}"#
        }
        let json = #"{"createdAt":"2026-11-27T10:00:00Z","engineVersion":"0.1.0","gitCommit":"abcdef0123456789","#
            + #""server":{"baseURL":"u","model":"M","fingerprint":"muse-0.1.0-b179c9523d0e","modelSHA256":"b179c9523d0e"},"runs":["#
            + [run("arithmetic", "instant", 8, 10), run("arithmetic", "thinking", 2, 10), run("shopping", "shopping", 20, 20),
               run("shelf", "instant", 0, 20)].joined(separator: ",") + "]}"
        let report = try JSONDecoder().decode(EvalReport.self, from: Data(json.utf8))
        let table = ResultsTable(report)
        #expect(table.modes == ["instant", "thinking", "shopping"])
        let text = table.markdown(reportPath: "r.json")
        #expect(text.contains("| suite | samples | instant | thinking | shopping |"))
        #expect(text.contains("| arithmetic v1 | 10 | 80.0% (49.0-94.3) | 20.0% (5.7-51.0) | - |"), "\(text)")
        #expect(text.contains("Strongest: shopping v1 shopping 100.0%, arithmetic v1 instant 80.0%."), "\(text)")
        #expect(text.contains("Weakest: shelf v1 instant 0.0%, arithmetic v1 thinking 20.0%."), "\(text)")
        #expect(text.contains("SHA-256 `b179c9523d0e`") && text.contains("`muse eval table r.json`"))
    }
}
