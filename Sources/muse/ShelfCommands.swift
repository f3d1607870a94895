import ArgumentParser
import Foundation
import Imaging
import Shelf

extension NutritionCommand {
    /// `muse nutrition shelf PHOTO`: the products on a shelf photo, healthiest first.
    struct Shelf: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rank the products on a shelf photo by Nutri-Score (OCR, catalogue match, scoring).",
            discussion: "Products are matched against --catalog FILE, or the store's catalogue (muse catalog import).")

        @Argument(help: "The photo (JPEG, PNG or WebP).")
        var photo: String

        @Option(help: "A catalogue file (.csv or .jsonl) to match against instead of the store.")
        var catalog: String?

        @Flag(help: "Print JSON instead of the table.")
        var json = false

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let products: [CatalogProduct]
            if let catalog {
                do { products = try CatalogFile.read(path: catalog) } catch { throw CommandFailure("\(catalog): \(error)") }
            } else {
                products = try await ProductCatalog(database: try store.open(try store.sources())).all()
            }
            guard !products.isEmpty else { throw CommandFailure("the catalogue is empty: muse catalog import FILE, or --catalog FILE") }
            let image: RGBImage
            do { image = try ImageDecoder().decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: photo)))) } catch {
                throw CommandFailure("\(photo): \(error)")
            }
            let report = ShelfReport(try ShelfReader(catalogue: products).products(on: image))
            print(json ? String(decoding: try report.jsonData(), as: UTF8.self) : report.table)
        }
    }

    /// `muse nutrition shelf-eval`: identification accuracy and Kendall tau on a generated set.
    struct ShelfEval: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "shelf-eval",
            abstract: "Measure shelf identification accuracy and ranking agreement (Kendall tau-b) on a generated set.",
            discussion: "FOLDER holds catalogue.jsonl, shelf-truth.json and the photos (scripts/render-image-fixtures.sh).")

        @Argument(help: "The shelf set folder.")
        var folder = "Tests/ShelfTests/Fixtures"

        func run() throws {
            let catalogue = try CatalogFile.read(path: folder + "/catalogue.jsonl")
            let truth = try ShelfTruth.load(path: folder + "/shelf-truth.json")
            let evaluation = try ShelfEvaluation.run(reader: ShelfReader(catalogue: catalogue), truth: truth, folder: folder)
            print("photo            products  identified  by name  Kendall tau-b")
            for photo in evaluation.photos {
                let tau = photo.kendallTau.map { String(format: "%.3f", $0) } ?? "-"
                print(photo.photo.padding(toLength: 17, withPad: " ", startingAt: 0)
                      + "\(photo.products)".padding(toLength: 10, withPad: " ", startingAt: 0)
                      + "\(photo.identified)".padding(toLength: 12, withPad: " ", startingAt: 0)
                      + "\(photo.identifiedByName)".padding(toLength: 9, withPad: " ", startingAt: 0) + tau)
            }
            let tau = evaluation.meanKendallTau.map { String(format: "%.3f", $0) } ?? "-"
            print(String(format: "identified %d/%d (%.1f%%), %d by name match; mean Kendall tau-b %@",
                         evaluation.identified, evaluation.products, 100 * evaluation.accuracy,
                         evaluation.identifiedByName, tau))
        }
    }
}
