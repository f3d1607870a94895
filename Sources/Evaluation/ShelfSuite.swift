import Foundation
import Nutrition
import Shelf

/// Shelf photos: "which product here has the best (worst) Nutri-Score?" about the generated shelf
/// set (`scripts/render-image-fixtures.sh`), the photo sent as a data URL. The answer comes from
/// the set's ground truth (which packs are on the photo) and our Nutrition module's score of each
/// catalogue product, ranked as `ShelfReader` ranks them; the server must hold the catalogue.
public enum ShelfSuite {
    public static let name = "shelf"
    public static let version = "1"
    /// The generated set and its catalogue (repository-relative; `muse eval` imports the catalogue
    /// into the server it starts).
    public static let folder = "Tests/ShelfTests/Fixtures"
    public static let catalogue = folder + "/catalogue.jsonl"

    public static func header() -> EvalSuite.Header {
        EvalSuite.Header(suite: name, version: version, canary: EvalSuite.canaryPrefix + "-shelf-v1-9a4e17c2d6b05f38",
                         max_tokens: 32,
                         description: "Generated shelf photos (scripts/render_shelf_set.py): the product with the best or worst "
                             + "Nutri-Score 2023, by the set's ground truth and the Nutrition module.",
                         setup: ["catalog": catalogue])
    }

    /// Two questions a photo (best, worst); a question is left out when its answer is tied or two
    /// packs on the photo share a name (the answer would be ambiguous).
    public static func items(root: String = ".") throws -> [EvalItem] {
        let products = try CatalogFile.read(path: root + "/" + catalogue)
        let byBarcode = Dictionary(products.map { ($0.barcode, $0) }, uniquingKeysWith: { first, _ in first })
        let truth = try ShelfTruth.load(path: root + "/" + folder + "/shelf-truth.json")
        var items: [EvalItem] = []
        for photo in truth {
            var ranked: [(name: String, key: Double)] = []
            for placement in photo.products {
                guard let product = byBarcode[placement.barcode] else {
                    throw EvaluationError.invalidSuite("\(photo.photo): barcode \(placement.barcode) is not in the catalogue")
                }
                ranked.append((product.name, ShelfReader.rankKey(try ProductAssessment(product.label))))
            }
            let names = ranked.map(\.name)
            guard Set(names).count == names.count, ranked.count >= 2 else { continue }
            ranked.sort { $0.key < $1.key }
            let bytes = try Data(contentsOf: URL(fileURLWithPath: root + "/" + folder + "/" + photo.photo))
            let image = "data:image/jpeg;base64," + bytes.base64EncodedString()
            let stem = photo.photo.replacingOccurrences(of: ".jpg", with: "")
            let questions = [("best", "the best Nutri-Score (the healthiest)", ranked[0], ranked[1]),
                             ("worst", "the worst Nutri-Score (the least healthy)", ranked[ranked.count - 1], ranked[ranked.count - 2])]
            for (which, phrase, answer, next) in questions where answer.key != next.key {
                items.append(EvalItem(id: "\(stem)-\(which)", prompt: "Which product on this shelf has \(phrase)? Answer with the product's name.",
                                      answer: answer.name, check: "one_of:" + names.sorted().joined(separator: ","),
                                      source: "\(folder)/shelf-truth.json and the Nutrition module's Nutri-Score 2023 of catalogue.jsonl",
                                      image: image))
            }
        }
        return items
    }
}
