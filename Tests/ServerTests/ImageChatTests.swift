import Foundation
import Server
import Testing

/// The rendered label of Tests/ImagingTests/Fixtures (OCR reads it exactly; see TextRecognizerTests).
enum LabelImage {
    static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ImagingTests/Fixtures/nutrition-label.png")

    static func bytes() throws -> Data { try Data(contentsOf: url) }

    static func dataURL() throws -> String { "data:image/png;base64," + (try bytes()).base64EncodedString() }

    /// A user message with the question first and the image after it, as clients usually send.
    static func messages(question: String, imageURL: String) -> String {
        #"[{"role":"user","content":[{"type":"text","text":\#(ChatCompletionTests.jsonString(question))},"#
            + #"{"type":"image_url","image_url":{"url":\#(ChatCompletionTests.jsonString(imageURL))}}]}]"#
    }
}

/// The prompt the server renders for `messages`, read back through /tokenize and /detokenize.
func renderedPrompt(_ client: InProcessClient, messages: String) async throws -> String {
    var tokens: [Int] = []
    try await post(client, "/tokenize", #"{"messages":\#(messages)}"#) { response in
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        tokens = try #require(try jsonObject(response.body)["tokens"] as? [Int])
    }
    var prompt = ""
    try await post(client, "/detokenize", #"{"tokens":\#(tokens)}"#) { response in
        prompt = try #require(try jsonObject(response.body)["prompt"] as? String)
    }
    return prompt
}

@Suite(.serialized) struct ImageChatTests {
    let api: MuseAPI

    init() throws { api = try TestServer.shared.get() }

    static let question = "How much energy does this have?"

    @Test func theObservationReachesThePromptBeforeTheQuestion() async throws {
        let prompt = try await renderedPrompt(InProcessClient(api),
                                              messages: LabelImage.messages(question: Self.question, imageURL: try LabelImage.dataURL()))
        for line in ["Nutrition Facts", "Energy 520 kcal", "Fat 31g", "Sugars 12.5g", "Salt 0.8g"] {
            #expect(prompt.contains("\"\(line)\""), "missing \(line) in \(prompt)")
        }
        let image = try #require(prompt.range(of: "[Image 1: "))
        let question = try #require(prompt.range(of: Self.question))
        #expect(image.lowerBound < question.lowerBound)
        // The title spans the label's middle third; the last, short line sits bottom left.
        #expect(prompt.contains("- \"Nutrition Facts\" (top centre)\n"))
        #expect(prompt.contains("- \"Salt 0.8g\" (bottom left)\n[End of image 1]"))
        #expect(!prompt.contains("data:image"))
    }

    @Test func aChatWithAnImageIsAnswered() async throws {
        let body = #"{"model":"\#(TestServer.modelID)","temperature":0,"max_tokens":12,"messages":"#
            + LabelImage.messages(question: Self.question, imageURL: try LabelImage.dataURL()) + "}"
        try await post(InProcessClient(api), "/v1/chat/completions", body) { response in
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let object = try jsonObject(response.body)
            let choices = try #require(object["choices"] as? [[String: Any]])
            let content = try #require((choices.first?["message"] as? [String: Any])?["content"] as? String)
            #expect(!content.isEmpty)
            // The observation's lines make the prompt far longer than the question alone (~20 tokens).
            let usage = try #require(object["usage"] as? [String: Any])
            #expect((usage["prompt_tokens"] as? Int ?? 0) > 60)
        }
    }

    private func expectBadImage(_ imageURL: String, says expected: String, code: String) async throws {
        let body = #"{"model":"\#(TestServer.modelID)","max_tokens":4,"messages":"#
            + LabelImage.messages(question: Self.question, imageURL: imageURL) + "}"
        try await post(InProcessClient(api), "/v1/chat/completions", body) { response in
            #expect(response.status == .badRequest)
            let error = try errorObject(response.body)
            let message = error["message"] as? String ?? ""
            #expect(message.contains(expected), "\(message)")
            #expect(message.hasPrefix("messages[0].content[1]: "))
            #expect(error["code"] as? String == code)
        }
    }

    @Test func brokenImagesAreClearBadRequests() async throws {
        let label = try LabelImage.bytes()
        let truncated = "data:image/png;base64," + label.prefix(label.count / 2).base64EncodedString()
        try await expectBadImage(truncated, says: "corrupt PNG image", code: "invalid_image")
        let text = "data:image/png;base64," + Data("just some text".utf8).base64EncodedString()
        try await expectBadImage(text, says: "unrecognized image format", code: "invalid_image")
        try await expectBadImage("data:image/png,notbase64", says: "must be base64", code: "invalid_image_url")
        try await expectBadImage("file:///etc/passwd", says: "must be a data: URL or an http(s) URL", code: "invalid_image_url")
    }

    @Test func privateAddressesAreRefusedBeforeAnyConnection() async throws {
        try await expectBadImage("http://127.0.0.1:9/label.png", says: "non-public address", code: "invalid_image_url")
        try await expectBadImage("http://169.254.169.254/latest/meta-data", says: "non-public address", code: "invalid_image_url")
    }

    @Test func tooManyImagesAreRefused() async throws {
        let part = #"{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}"#
        let parts = Array(repeating: part, count: ImagePerception.maxImagesPerRequest + 1).joined(separator: ",")
        let body = #"{"model":"\#(TestServer.modelID)","messages":[{"role":"user","content":[\#(parts)]}]}"#
        try await post(InProcessClient(api), "/v1/chat/completions", body) { response in
            #expect(response.status == .badRequest)
            let message = try errorObject(response.body)["message"] as? String ?? ""
            #expect(message.contains("at most 4 images"))
        }
    }
}
