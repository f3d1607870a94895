import Foundation
import Imaging
import Nutrition

/// The ground truth of a generated shelf set (`shelf-truth.json`): per photo, the products in it
/// and the box each pack occupies.
public struct ShelfTruth: Codable, Sendable {
    public struct Placement: Codable, Sendable {
        public let barcode: String
        /// x, y, width, height in photo pixels.
        public let box: [Int]
    }
    public let photo: String
    public let products: [Placement]

    public static func load(path: String) throws -> [ShelfTruth] {
        try JSONDecoder().decode([ShelfTruth].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

/// Identification accuracy and ranking agreement of `ShelfReader` on a generated set.
public struct ShelfEvaluation: Sendable {
    public struct PhotoResult: Sendable {
        public let photo: String
        public let products: Int
        public let identified: Int
        /// Of those, identified by brand and name (no barcode readable on the pack).
        public let identifiedByName: Int
        /// Kendall's tau-b between the true and the predicted ranking (`ShelfReader.rankKey`) of the photo's
        /// products; nil when the true scores are all tied (no order to agree with).
        public let kendallTau: Double?
    }

    public let photos: [PhotoResult]

    public var products: Int { photos.reduce(0) { $0 + $1.products } }
    public var identified: Int { photos.reduce(0) { $0 + $1.identified } }
    public var identifiedByName: Int { photos.reduce(0) { $0 + $1.identifiedByName } }
    public var accuracy: Double { products == 0 ? 0 : Double(identified) / Double(products) }
    /// Mean tau-b over the photos where it is defined.
    public var meanKendallTau: Double? {
        let taus = photos.compactMap(\.kendallTau)
        return taus.isEmpty ? nil : taus.reduce(0, +) / Double(taus.count)
    }

    /// Runs the reader on every photo of `truth` (files in `folder`).
    public static func run(reader: ShelfReader, truth: [ShelfTruth], folder: String,
                           decoder: ImageDecoder = ImageDecoder()) throws -> ShelfEvaluation {
        let catalogue = Dictionary(reader.catalogue.map { ($0.barcode, $0) }, uniquingKeysWith: { first, _ in first })
        var results: [PhotoResult] = []
        for photo in truth {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder).appendingPathComponent(photo.photo)))
            let found = try reader.products(on: try decoder.decode(bytes))
            var identified = 0, byName = 0
            var trueScores: [Double] = []
            var predictedScores: [Double] = []
            for placement in photo.products {
                guard placement.box.count == 4, let product = catalogue[placement.barcode] else {
                    throw ShelfError.malformedCatalogue(line: 0, message: "truth names \(placement.barcode), not in the catalogue")
                }
                let (left, right) = (placement.box[0], placement.box[0] + placement.box[2])
                // The text read inside this pack: its box's centre lies within the pack.
                let match = found.first { (left..<right).contains($0.box.x + $0.box.width / 2) }
                if let match, match.product?.barcode == placement.barcode {
                    identified += 1
                    if match.evidence == .nameMatch { byName += 1 }
                }
                trueScores.append(ShelfReader.rankKey(try ProductAssessment(product.label)))
                // An unidentified pack has no score; it ranks last, behind every scored product.
                predictedScores.append(match?.assessment.map(ShelfReader.rankKey) ?? .infinity)
            }
            results.append(PhotoResult(photo: photo.photo, products: photo.products.count, identified: identified, identifiedByName: byName,
                                       kendallTau: kendallTauB(trueScores, predictedScores)))
        }
        return ShelfEvaluation(photos: results)
    }

    /// Kendall's tau-b: (concordant - discordant) / sqrt((n0 - ties in x)(n0 - ties in y)),
    /// which stays in -1...1 with ties (Nutri-Score points tie often).
    public static func kendallTauB(_ x: [Double], _ y: [Double]) -> Double? {
        precondition(x.count == y.count, "paired samples")
        var concordant = 0, discordant = 0, tiesX = 0, tiesY = 0, pairs = 0
        for i in 0..<x.count {
            for j in (i + 1)..<x.count {
                pairs += 1
                let dx = x[i] - x[j], dy = y[i] - y[j]
                if dx == 0 { tiesX += 1 }
                if dy == 0 { tiesY += 1 }
                if dx != 0 && dy != 0 {
                    if (dx > 0) == (dy > 0) { concordant += 1 } else { discordant += 1 }
                }
            }
        }
        let denominator = (Double(pairs - tiesX) * Double(pairs - tiesY)).squareRoot()
        return denominator == 0 ? nil : Double(concordant - discordant) / denominator
    }
}
