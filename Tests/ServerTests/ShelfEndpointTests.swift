import Foundation
import Server
import Shelf
import Storage
import Testing
import TestSupport

/// `POST /v1/vision/shelf` on a photo of the generated shelf set, against its catalogue in a store.
@Suite(.serialized) struct ShelfEndpointTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../ShelfTests/Fixtures")

    private func api(catalogue: ProductCatalog?) throws -> MuseAPI {
        let shared = try TestServer.shared.get()
        var settings = shared.settings
        settings.bodyLimit = 1 << 20  // a shelf photo is larger than the chat tests' bodies
        return MuseAPI(scheduler: shared.scheduler, settings: settings, catalogue: catalogue)
    }

    private func body(photo: String) throws -> String {
        let bytes = try Data(contentsOf: Self.fixtures.appendingPathComponent(photo))
        return #"{"image_url":"data:image/jpeg;base64,\#(bytes.base64EncodedString())"}"#
    }

    @Test func ranksTheProductsOnAShelfPhoto() async throws {
        let catalogue = ProductCatalog(database: try Database(try TestDatabase.freshSQLite()))
        try await catalogue.importProducts(try CatalogFile.read(path: Self.fixtures.appendingPathComponent("catalogue.jsonl").path))
        let truth = try #require(try ShelfTruth.load(path: Self.fixtures.appendingPathComponent("shelf-truth.json").path).first)
        try await post(InProcessClient(try api(catalogue: catalogue)), "/v1/vision/shelf", try body(photo: truth.photo)) { response in
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let object = try jsonObject(response.body)
            let ranking = try #require(object["ranking"] as? [[String: Any]])
            #expect(Set(ranking.compactMap { $0["barcode"] as? String }) == Set(truth.products.map(\.barcode)))
            #expect(ranking.map { $0["rank"] as? Int } == [1, 2, 3, 4])
            let grades = ranking.compactMap { $0["grade"] as? String }
            #expect(grades == grades.sorted())
            let points = try #require(ranking.first?["points"] as? [String: Any])
            #expect(points["sugars"] != nil && points["energy"] != nil)
            #expect(ranking.allSatisfy { ($0["text_read"] as? String ?? "").isEmpty == false })
        }
    }

    @Test func aChatAboutAShelfPhotoGetsTheRankingInItsPrompt() async throws {
        let catalogue = ProductCatalog(database: try Database(try TestDatabase.freshSQLite()))
        let products = try CatalogFile.read(path: Self.fixtures.appendingPathComponent("catalogue.jsonl").path)
        try await catalogue.importProducts(products)
        let truth = try #require(try ShelfTruth.load(path: Self.fixtures.appendingPathComponent("shelf-truth.json").path).first)
        let photo = try Data(contentsOf: Self.fixtures.appendingPathComponent(truth.photo))
        let prompt = try await renderedPrompt(InProcessClient(try api(catalogue: catalogue)), messages: LabelImage.messages(
            question: "Which of these is healthiest?", imageURL: "data:image/jpeg;base64," + photo.base64EncodedString()))
        #expect(prompt.contains("Products identified (catalogue match; Nutri-Score 2023, healthiest first):\n1. "))
        for placement in truth.products {
            let product = try #require(products.first { $0.barcode == placement.barcode })
            #expect(prompt.contains(". \(product.brand ?? "") \(product.name): Nutri-Score "), "\(product.name)")
        }
        let observation = try #require(prompt.range(of: "Products identified"))
        let question = try #require(prompt.range(of: "Which of these is healthiest?"))
        #expect(observation.lowerBound < question.lowerBound)
    }

    @Test func withoutACatalogueOrAGoodImageItSaysWhy() async throws {
        try await post(InProcessClient(try api(catalogue: nil)), "/v1/vision/shelf", try body(photo: "shelf-01.jpg")) { response in
            #expect(response.status == .badRequest)
            let code = try errorObject(response.body)["code"] as? String
            #expect(code == "catalogue_unavailable")
        }
        let catalogue = ProductCatalog(database: try Database(try TestDatabase.freshSQLite()))
        try await catalogue.importProducts(try CatalogFile.read(path: Self.fixtures.appendingPathComponent("catalogue.csv").path))
        let broken = #"{"image_url":"data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ=="}"#
        try await post(InProcessClient(try api(catalogue: catalogue)), "/v1/vision/shelf", broken) { response in
            #expect(response.status == .badRequest)
            let error = try errorObject(response.body)
            #expect(error["code"] as? String == "invalid_image")
            #expect((error["message"] as? String ?? "").contains("corrupt JPEG image"))
        }
    }
}
