import Foundation
import Generation
import Hummingbird
import ModelFiles
import Server
import Testing
import TestSupport
import Tokenization
import Vision

/// The native VLM path on the default text model (SmolLM2-135M, 576 wide) with a small random
/// SmolVLM-style encoder whose projector makes 576-wide rows: an image is encoded, spliced into
/// the prompt, counted in the usage and cached like text.
@Suite(.serialized) struct NativeVisionTests {
    /// A 16x16 image in 4x4 patches, pixel-shuffled by 2: 4 rows per image.
    static let shape = MMProjShape(projector: "idefics3", imageSize: 16, patchSize: 4, embedding: 8, heads: 2, feedForward: 16,
                                   blocks: 1, epsilon: 1e-6, useGelu: true, scaleFactor: 2,
                                   imageMean: [0.5, 0.5, 0.5], imageStd: [0.5, 0.5, 0.5])
    static let rowsPerImage = 4
    static let width = 576   // SmolLM2-135M's embedding length

    static func mmproj(width: Int = width) throws -> [UInt8] { try shape.randomIdefics3File(outputWidth: width, seed: 2026) }

    static func imageMessages(_ question: String, images: [String]) -> String {
        let parts = images.map { #"{"type":"image_url","image_url":{"url":\#(ChatCompletionTests.jsonString($0))}}"# }
            + [#"{"type":"text","text":\#(ChatCompletionTests.jsonString(question))}"#]
        return #"[{"role":"user","content":[\#(parts.joined(separator: ","))]}]"#
    }

    static func pngDataURL(_ name: String) throws -> String {
        let url = LabelImage.url.deletingLastPathComponent().appendingPathComponent(name)
        return "data:image/png;base64," + (try Data(contentsOf: url)).base64EncodedString()
    }

    @Test func eachImageAddsItsRowsToThePrompt() async throws {
        let api = try TestServer.makeAPI(mmproj: try Self.mmproj())
        defer { api.scheduler.shutdown() }
        let client = InProcessClient(api)
        let label = try LabelImage.dataURL()
        let one = try await PrefixCacheTests.ask(client, messages: Self.imageMessages("What is this?", images: [label]))
        let two = try await PrefixCacheTests.ask(client, messages: Self.imageMessages("What is this?", images: [label, label]))
        // The second image brings its rows and the newline that joins it to the next part.
        #expect(two.prompt - one.prompt == Self.rowsPerImage + 1)
        // /tokenize shows the same prompt, each row as a negative placeholder id, the rows together.
        var tokens: [Int] = []
        try await post(client, "/tokenize", #"{"messages":\#(Self.imageMessages("What is this?", images: [label]))}"#) { response in
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            tokens = try #require(try jsonObject(response.body)["tokens"] as? [Int])
        }
        #expect(tokens.count == one.prompt)
        let rows = tokens.indices.filter { tokens[$0] < 0 }
        #expect(rows.count == Self.rowsPerImage && rows.last.map { $0 - rows[0] + 1 } == Self.rowsPerImage)
    }

    @Test func theSameImageComesFromTheCacheAndAnotherDoesNot() async throws {
        let api = try TestServer.makeAPI(mmproj: try Self.mmproj())
        defer { api.scheduler.shutdown() }
        let client = InProcessClient(api)
        let label = try LabelImage.dataURL(), pattern = try Self.pngDataURL("pattern-gray.png")
        let first = try await PrefixCacheTests.ask(client, messages: Self.imageMessages("What is this?", images: [label]))
        #expect(first.cached == 0)
        let again = try await PrefixCacheTests.ask(client, messages: Self.imageMessages("What is this?", images: [label]))
        #expect(again.cached == again.prompt, "the whole prompt, image included, comes from the cache")
        #expect(again.text == first.text)
        // Another question about the same image: the prompt up to the question is cached.
        let sameImage = try await PrefixCacheTests.ask(client, messages: Self.imageMessages("Is it food?", images: [label]))
        // The same question about another image: only the text before the image is cached.
        let otherImage = try await PrefixCacheTests.ask(client, messages: Self.imageMessages("Is it food?", images: [pattern]))
        #expect(sameImage.prompt == otherImage.prompt)
        #expect(sameImage.cached - otherImage.cached >= Self.rowsPerImage,
                "the same image's rows are reused (\(sameImage.cached) cached), another image's are not (\(otherImage.cached))")
        #expect(otherImage.cached < otherImage.prompt - Self.rowsPerImage)
    }

    @Test func aProjectorOfAnotherWidthIsRefusedAtStartup() throws {
        let loaded = try LoadedModel(path: TestModel.defaultPath, threads: 1)
        let encoder = try VisionEncoder(file: try GGUFFile(bytes: try Self.mmproj(width: 64)), pool: loaded.pool)
        #expect(throws: VisionError.invalidConfiguration(
            "the mmproj projector makes 64-wide embeddings, but the text model's embedding is 576 wide: not a matching pair")) {
            try NativeVision(encoder: encoder, model: loaded.model.info, tokenizer: loaded.tokenizer)
        }
    }

    @Test func aBrokenImageIsABadRequest() async throws {
        let api = try TestServer.makeAPI(mmproj: try Self.mmproj())
        defer { api.scheduler.shutdown() }
        let body = #"{"model":"\#(TestServer.modelID)","max_tokens":2,"messages":"#
            + Self.imageMessages("What is this?", images: ["data:image/png;base64,iVBORw0KGgo="]) + "}"
        try await post(InProcessClient(api), "/v1/chat/completions", body) { response in
            #expect(response.status == .badRequest)
            let message = try errorObject(response.body)["message"] as? String ?? ""
            #expect(message.hasPrefix("messages[0].content[0]: image could not be read"), "\(message)")
        }
    }
}
