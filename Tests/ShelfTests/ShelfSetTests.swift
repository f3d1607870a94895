import Foundation
import Imaging
import Shelf
import Testing

/// The targets on the generated shelf set (scripts/render-image-fixtures.sh).
private let accuracyTarget = 0.9
private let kendallTauTarget = 0.8

@Suite struct ShelfSetTests {
    @Test func identifiesAndRanksTheGeneratedShelves() throws {
        let catalogue = try CatalogFile.read(path: ShelfFixtures.path("catalogue.jsonl"))
        let truth = try ShelfTruth.load(path: ShelfFixtures.path("shelf-truth.json"))
        let evaluation = try ShelfEvaluation.run(reader: ShelfReader(catalogue: catalogue), truth: truth, folder: ShelfFixtures.folder)
        let perPhoto = evaluation.photos.map { "\($0.photo) \($0.identified)/\($0.products) tau \($0.kendallTau ?? .nan)" }
        #expect(evaluation.products == 40)
        #expect(evaluation.accuracy >= accuracyTarget, "accuracy \(evaluation.accuracy): \(perPhoto)")
        #expect((evaluation.meanKendallTau ?? 0) >= kendallTauTarget, "tau: \(perPhoto)")
    }

    @Test func aPhotoIsRankedHealthiestFirst() throws {
        let catalogue = try CatalogFile.read(path: ShelfFixtures.path("catalogue.jsonl"))
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: ShelfFixtures.path("shelf-01.jpg"))))
        let found = try ShelfReader(catalogue: catalogue).products(on: try ImageDecoder().decode(bytes))
        let ranking = ShelfReader.ranking(found)
        let keys = ranking.compactMap { $0.assessment.map(ShelfReader.rankKey) }
        #expect(keys == keys.sorted())
        #expect(ranking.count == 4)
        // shelf-01: peanuts (fat, 4 points, C) rank behind diet lemonade (beverage, 4 points, C)
        // by name only; dark chocolate (E) is last.
        #expect(ranking.last?.product?.name == "Dark Chocolate")
        #expect(ranking.compactMap { $0.assessment?.nutriScore.grade?.rawValue } == ["C", "C", "C", "E"])
    }
}
