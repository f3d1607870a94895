import Foundation
import Imaging
import Nutrition

/// A shelf ranking in machine-readable form (`muse nutrition shelf --json`): the identified
/// products healthiest first with their points and evidence, then what could not be identified.
public struct ShelfReport: Codable, Sendable {
    public struct Ranked: Codable, Sendable {
        public let rank: Int
        public let barcode: String
        public let brand: String?
        public let name: String
        public let category: String
        public let score: Int?
        public let scoreRange: [Int]
        public let grade: String?
        public let status: String
        /// Points per Nutri-Score component (null when the input is missing).
        public let points: [String: Int?]
        public let nova: Int?
        public let evidence: String
        public let matchConfidence: Double
        /// The second-best catalogue match, when the identification was by name.
        public let runnerUp: String?
        public let runnerUpConfidence: Double?
        public let textRead: String
        public let box: PixelBox
    }

    public struct Unidentified: Codable, Sendable {
        public let textRead: String
        public let bestConfidence: Double
        public let box: PixelBox
    }

    public let ranking: [Ranked]
    public let unidentified: [Unidentified]

    public init(_ products: [ShelfProduct]) {
        ranking = ShelfReader.ranking(products).enumerated().compactMap { index, found in
            guard let product = found.product, let assessment = found.assessment else { return nil }
            let result = assessment.nutriScore
            var points: [String: Int?] = [:]
            for component in result.negative + result.positive { points[component.component.rawValue] = component.points.value }
            return Ranked(rank: index + 1, barcode: product.barcode, brand: product.brand, name: product.name,
                          category: product.category.rawValue, score: result.score,
                          scoreRange: [result.scoreRange.lowerBound, result.scoreRange.upperBound],
                          grade: result.grade?.rawValue, status: result.status.rawValue, points: points,
                          nova: assessment.nova?.group, evidence: found.evidence.rawValue,
                          matchConfidence: found.matchConfidence, runnerUp: found.runnerUp?.barcode,
                          runnerUpConfidence: found.runnerUp?.confidence, textRead: found.textRead, box: found.box)
        }
        unidentified = products.filter { $0.product == nil || $0.assessment == nil }.map {
            Unidentified(textRead: $0.textRead, bestConfidence: $0.matchConfidence, box: $0.box)
        }
    }

    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// The readable table: rank, grade, points, product, how it was identified.
    public var table: String {
        var lines = ["rank  grade  points  product                                  identified by"]
        for entry in ranking {
            let product = [entry.brand, entry.name].compactMap { $0 }.joined(separator: " ")
            let grade = entry.grade ?? "?"
            let score = entry.score.map(String.init) ?? "\(entry.scoreRange[0])…\(entry.scoreRange[1])"
            let how = entry.evidence == "barcode" ? "barcode" : String(format: "name match %.2f", entry.matchConfidence)
            lines.append(pad("\(entry.rank)", 6) + pad(grade, 7) + pad(score, 8) + pad(product, 41) + how)
        }
        for entry in unidentified {
            lines.append("?     -      -       not identified: \"\(entry.textRead)\"")
        }
        return lines.joined(separator: "\n")
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
