import ArgumentParser
import Foundation
import Nutrition
import Shelf

struct NutritionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nutrition",
        abstract: "Nutrition labels: Nutri-Score 2023 and NOVA group; shelf photos ranked by it.",
        subcommands: [Score.self, Shelf.self, ShelfEval.self])

    struct Score: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score a product file with the Nutri-Score 2023 algorithm and classify its NOVA group.",
            discussion: """
            FILE holds {"name": ..., "category": "general|beverage|fat|cheese|red_meat|water", \
            "nutrition": {...}, "ingredients": "..."} with nutrition per 100 g (100 ml for drinks): \
            energy_kj or energy_kcal, sugars_g, fat_g, saturated_fat_g, salt_g or sodium_g, fibre_g, \
            protein_g, fruits_vegetables_legumes_percent, non_nutritive_sweeteners. A missing value is \
            never read as zero: the grade becomes a range (estimated) or unknown.
            """)

        @Argument(help: "The product JSON file.")
        var file: String?

        @Option(help: "Score the catalogue product whose name best matches this (e.g. \"cheddar cheese\"; USDA SR24 foods after muse catalog import-usda) instead of a file.")
        var food: String?

        @Flag(help: "Print a machine-readable JSON object instead of the table.")
        var json = false

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let assessment: ProductAssessment
            switch (file, food) {
            case let (file?, nil):
                let data: Data
                do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
                    throw CommandFailure("cannot read \(file): \(error.localizedDescription)")
                }
                do { assessment = try ProductAssessment(ProductLabel.decode(data)) } catch {
                    throw CommandFailure("\(file): \(error)")
                }
            case let (nil, food?):
                let products = try await ProductCatalog(database: try store.open(try store.sources())).all()
                guard let match = CatalogIndex(products).search(food, limit: 1).first, match.score > 0 else {
                    throw CommandFailure("no catalogue product matches \"\(food)\" (muse catalog import-usda, muse catalog import FILE)")
                }
                if !json {
                    print(String(format: "matched %@ (%@, name match %.2f)\n", match.product.barcode, match.product.source.rawValue, match.score))
                }
                do { assessment = try ProductAssessment(match.product.label) } catch { throw CommandFailure("\(match.product.barcode): \(error)") }
            default:
                throw CommandFailure("give a product FILE or --food NAME (one of them)")
            }
            if json {
                print(String(decoding: try assessment.jsonData(), as: UTF8.self))
            } else {
                print(NutritionTable.render(assessment))
            }
        }
    }
}

/// The readable form: one row per component, then the score, grade and NOVA group.
enum NutritionTable {
    static func render(_ assessment: ProductAssessment) -> String {
        let result = assessment.nutriScore
        var lines = ["\(assessment.label.name ?? "(unnamed product)") — \(result.category.rawValue)", ""]
        lines.append(row("component", "points", "max"))
        for component in result.negative { lines.append(row("− " + component.component.rawValue, points(component.points), "\(component.maximum)")) }
        for component in result.positive {
            let note = component.component == .protein && result.proteinCounted == false ? " (not counted)" : ""
            lines.append(row("+ " + component.component.rawValue, points(component.points) + note, "\(component.maximum)"))
        }
        lines.append("")
        lines.append("protein counted: " + (result.proteinCounted.map { $0 ? "yes" : "no" } ?? "depends on missing values"))
        let sum = result.negativeTotal.flatMap { n in result.positiveTotal.map { " (N \(n) − P \($0))" } } ?? ""
        lines.append("score: " + (result.score.map { "\($0)\(sum)" }
            ?? "\(result.scoreRange.lowerBound)…\(result.scoreRange.upperBound)"))
        let grade: String
        switch result.status {
        case .exact: grade = result.grade?.rawValue ?? "?"
        case .estimated: grade = result.grade.map { "\($0.rawValue) (estimated)" }
            ?? "\(result.gradeRange.lowerBound.rawValue)–\(result.gradeRange.upperBound.rawValue) (estimated)"
        case .unknown: grade = "unknown"
        }
        lines.append("Nutri-Score: " + grade)
        if !result.missingInputs.isEmpty { lines.append("missing: " + result.missingInputs.joined(separator: ", ")) }
        if assessment.sweetenersReadFromIngredients { lines.append("sweeteners: read from the ingredient list") }
        if let nova = assessment.nova {
            let markers = nova.markers.isEmpty ? "" : " (" + nova.markers.joined(separator: ", ") + ")"
            lines.append("NOVA group: \(nova.group)\(markers)")
        } else {
            lines.append("NOVA group: unknown (no ingredient list)")
        }
        return lines.joined(separator: "\n")
    }

    private static func points(_ points: ComponentPoints) -> String {
        switch points {
        case let .known(value): return "\(value)"
        case let .unknown(range): return "unknown (\(range.lowerBound)–\(range.upperBound))"
        }
    }

    private static func row(_ name: String, _ points: String, _ maximum: String) -> String {
        name.padding(toLength: 30, withPad: " ", startingAt: 0) + points.padding(toLength: 24, withPad: " ", startingAt: 0) + maximum
    }
}
