import Evaluation
import Foundation
import Nutrition
import Testing

/// Suites, scorers and statistics of `muse eval`, without a server.
@Suite struct EvaluationTests {
    static let suites = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../evals/suites").standardizedFileURL

    /// Reference values of the 95% Wilson interval (computed by hand from the formula).
    @Test func wilsonIntervals() {
        let eight = Proportion(correct: 8, total: 10)
        #expect(abs(eight.low - 0.4902) < 1e-4 && abs(eight.high - 0.9433) < 1e-4)
        let none = Proportion(correct: 0, total: 20)
        #expect(none.low == 0 && abs(none.high - 0.1611) < 1e-4)
        let all = Proportion(correct: 20, total: 20)
        #expect(abs(all.low - 0.8389) < 1e-4 && all.high == 1)
        #expect(Proportion(correct: 0, total: 0) == Proportion(correct: 0, total: 0) && Proportion(correct: 0, total: 0).high == 1)
    }

    @Test func scorersCheckByCode() {
        func check(_ check: String, _ output: String, answer: String = "") -> Bool {
            Scorer.score(output: output, item: EvalItem(id: "x", prompt: "p", answer: answer, check: check)).correct
        }
        #expect(check("number", "3 + 5 = 8, so he has 8 apples.", answer: "8"))
        #expect(!check("number", "He has 8 apples, then 9.", answer: "8"), "the last number counts")
        #expect(check("number", "It costs 1,250 dollars", answer: "1250"))
        #expect(check("choice", "The answer is B) Mercury.", answer: "B") && check("choice", "(C)", answer: "C"))
        #expect(!check("choice", "A or B", answer: "B"), "the first letter given counts")
        #expect(check("number_only", "42", answer: "42") && !check("number_only", "It is 42", answer: "42"))
        #expect(check("exact_words:3", "Blue and bright") && !check("exact_words:3", "Blue"))
        #expect(check("max_words:5", "Bees make honey.") && !check("max_words:2", "Bees make honey."))
        #expect(check("lines:3", "apple\nbanana\n\ncherry\n") && !check("lines:3", "apple, banana, cherry"))
        #expect(check("uppercase", "PARIS") && !check("uppercase", "Paris") && !check("uppercase", "42"))
        #expect(check("lowercase", "banana") && !check("lowercase", "Banana"))
        #expect(check("no_comma", "Dogs are loyal friends.") && !check("no_comma", "Dogs, cats"))
        #expect(check("contains:ocean", "Whales live in the Ocean.") && !check("contains:ocean", "Whales swim."))
        #expect(check("starts_with:Yes", "Yes, it is.") && !check("starts_with:Yes", "yes"))
        #expect(check("json_keys:age,name", #"{"name": "Ann", "age": 30}"#, answer: "name=Ann;age=30"))
        #expect(!check("json_keys:age,name", #"{"name": "Bob", "age": 30}"#, answer: "name=Ann;age=30"))
        #expect(!check("json_keys:age,name", #"{"name": "Ann"}"#) && !check("json_keys:city", "Rome"))
        #expect(check("one_of:circle,red,yes,no", "It is a red circle.", answer: "red"))
        #expect(!check("one_of:circle,red,yes,no", "A circle, red.", answer: "red"), "the first option named counts")
        #expect(!check("one_of:circle,red,yes,no", "Nothing here", answer: "no"), "whole words only")
    }

    @Test func imageSuiteItemsCarryAPictureAndAnOptionAnswer() throws {
        let suite = try EvalSuite(contentsOf: Self.suites.appendingPathComponent("easy-vqa-v1.jsonl"))
        #expect(suite.items.count == 42)
        for item in suite.items {
            #expect(item.image?.hasPrefix("data:image/png;base64,") == true, "\(item.id)")
            let options = Scorer.argument(item.check).split(separator: ",").map(String.init)
            #expect(Scorer.kind(item.check) == "one_of" && options.contains(item.answer), "\(item.id)")
        }
    }

    @Test func suiteFilesNeedACanaryUniqueIdsAndKnownChecks() throws {
        let header = #"{"suite":"s","version":"1","canary":"MUSE-EVAL-CANARY-x","max_tokens":8,"description":"d"}"#
        let item = #"{"id":"a","prompt":"p","answer":"1","check":"number"}"#
        #expect(try EvalSuite(data: Data((header + "\n" + item).utf8), name: "ok").items.count == 1)
        #expect(throws: EvaluationError.self) {
            try EvalSuite(data: Data((header.replacingOccurrences(of: "MUSE-EVAL-CANARY-x", with: "none") + "\n" + item).utf8), name: "c")
        }
        #expect(throws: EvaluationError.self) { try EvalSuite(data: Data((header + "\n" + item + "\n" + item).utf8), name: "d") }
        #expect(throws: EvaluationError.self) {
            try EvalSuite(data: Data((header + "\n" + item.replacingOccurrences(of: "number", with: "vibes")).utf8), name: "k")
        }
        #expect(throws: EvaluationError.self) { try EvalSuite(data: Data("not json\n".utf8), name: "j") }
    }

    /// The committed arithmetic suite is exactly its generator's output, so every answer is the
    /// one the generator computed; each answer is also re-derived from the question here.
    @Test func committedArithmeticSuiteIsItsGeneratorsOutput() throws {
        let file = Self.suites.appendingPathComponent("arithmetic-v1.jsonl")
        let committed = try String(contentsOf: file, encoding: .utf8)
        #expect(committed == (try EvalSuite.text(header: ArithmeticSuite.header(), items: ArithmeticSuite.items())))
        for item in try EvalSuite(contentsOf: file).items {
            let numbers = item.prompt.matches(of: /\d+/).compactMap { Int(String($0.output)) }
            let answer = try #require(Int(item.answer))
            let derived: Int? = switch item.prompt {
            case let p where p.contains("more."): numbers[0] + numbers[1]
            case let p where p.contains("gave away"): numbers[0] - numbers[1]
            case let p where p.contains("in each box"): numbers[0] * numbers[1]
            case let p where p.contains("minutes"): numbers[0] * 60
            case let p where p.contains("equally"): numbers[0] / numbers[1]
            case let p where p.contains("change"): numbers[2] - numbers[0] * numbers[1]
            default: nil
            }
            #expect(derived == answer, "\(item.id): \(item.prompt)")
        }
    }

    /// The nutrition suite is its generator's output, and every grade is our Nutri-Score
    /// module's for the facts the question states.
    @Test func committedNutritionSuiteMatchesTheNutritionModule() throws {
        let file = Self.suites.appendingPathComponent("nutrition-v1.jsonl")
        #expect(try String(contentsOf: file, encoding: .utf8)
                == (try EvalSuite.text(header: NutritionSuite.header(), items: try NutritionSuite.items())))
        let items = try EvalSuite(contentsOf: file).items
        #expect(items.count == NutritionSuite.count)
        #expect(Set(items.map(\.answer)).count >= 3, "the grades are spread over several letters")
        for item in items {
            let values = item.prompt.matches(of: /(\d+(?:\.\d+)?)\s*(?:kJ|g|%)/).compactMap { Double(String($0.output.1)) }
                .dropFirst()  // "per 100 g"
            try #require(values.count == 7, "\(item.id)")
            let v = Array(values)
            let facts = NutritionFacts(energyKJ: v[0], sugars: v[1], saturatedFat: v[2], salt: v[3], fibre: v[4], protein: v[5],
                                       fruitsVegetablesLegumesPercent: v[6])
            #expect(try NutriScore2023.score(facts, .general).grade?.rawValue == item.answer, "\(item.id)")
        }
    }

    @Test func everySuiteFileLoadsWithItsCanary() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.suites.path).filter { $0.hasSuffix(".jsonl") }
        #expect(files.count >= 4)
        for file in files {
            let suite = try EvalSuite(contentsOf: Self.suites.appendingPathComponent(file))
            #expect(!suite.items.isEmpty && suite.header.canary.hasPrefix(EvalSuite.canaryPrefix), "\(file)")
            for item in suite.items where item.check == "choice" {
                #expect(item.source?.isEmpty == false, "\(file)/\(item.id): a hand-written answer cites its source")
                if item.prompt.contains("A)") {
                    #expect(item.prompt.contains("\(item.answer))"), "\(file)/\(item.id): the answer is one of the options")
                } else {
                    #expect(["A", "B", "C", "D", "E"].contains(item.answer), "\(file)/\(item.id)")
                }
            }
        }
    }
}
