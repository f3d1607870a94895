import Foundation
import Hummingbird
import Nutrition
import PartnerAccess
import Server
import Shelf
import Speech
import Storage
import Testing
import TestSupport

/// `POST /v1/look` on a photo of the generated shelf set (Tests/ShelfTests/Fixtures, made by
/// scripts/render-image-fixtures.sh) with its catalogue in a store: the answer names the product
/// the catalogue's Nutri-Scores say is healthiest, as text and as speech.
@Suite(.serialized) struct LookTests {
    static let fixtures = ShelfEndpointTests.fixtures
    /// espeak-ng's voices speak at 22050 Hz.
    static let speechRate = 22050
    /// Speech is far louder than this RMS (16-bit full scale is 32767); silence is 0.
    static let silenceRMS = 100.0
    /// A sentence naming a product and its grade takes espeak-ng 2 s or more; two sentences of
    /// 60 tokens at most stay far below 30 s.
    static let spokenSeconds = 1.5...30.0

    struct ShelfScene {
        let client: InProcessClient
        let photoURL: String
        /// Brand and name of the truly healthiest product on the photo, by the catalogue's data.
        let healthiest: String
    }

    static func shelf(access: AccessControl? = nil) async throws -> ShelfScene {
        let shared = try TestServer.shared.get()
        var settings = shared.settings
        settings.bodyLimit = 2 << 20  // a shelf photo and a spoken question
        let catalogue = ProductCatalog(database: try Database(try TestDatabase.freshSQLite()))
        let products = try CatalogFile.read(path: fixtures.appendingPathComponent("catalogue.jsonl").path)
        try await catalogue.importProducts(products)
        // Each photo's ranking, from the catalogue's nutrition facts alone (no OCR involved); the
        // first photo whose healthiest product is unambiguous (a tie has no one right answer).
        let scenes = try ShelfTruth.load(path: fixtures.appendingPathComponent("shelf-truth.json").path).map { truth in
            (truth, try truth.products.map { placement in
                let product = try #require(products.first { $0.barcode == placement.barcode })
                return (product, ShelfReader.rankKey(try ProductAssessment(product.label)))
            }.sorted { $0.1 < $1.1 })
        }
        let (truth, ranked) = try #require(scenes.first { $0.1.count > 1 && $0.1[0].1 < $0.1[1].1 })
        let photo = try Data(contentsOf: fixtures.appendingPathComponent(truth.photo))
        let api = MuseAPI(scheduler: shared.scheduler, settings: settings, access: access, catalogue: catalogue)
        return ShelfScene(client: InProcessClient(api), photoURL: "data:image/jpeg;base64," + photo.base64EncodedString(),
                     healthiest: [ranked[0].0.brand, ranked[0].0.name].compactMap { $0 }.joined(separator: " "))
    }

    static func body(image: String, question: String? = nil, audio: String? = nil, stream: Bool = false) -> String {
        var fields = [#""image_url":\#(ChatCompletionTests.jsonString(image))"#, #""stream":\#(stream)"#]
        if let question { fields.append(#""question":\#(ChatCompletionTests.jsonString(question))"#) }
        if let audio { fields.append(#""audio":"\#(audio)""#) }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// The WAV in an answer's `audio` object, checked to be speech.
    static func speech(_ audio: [String: Any]?) throws -> WAVFile {
        let audio = try #require(audio)
        let base64 = try #require(audio["data"] as? String)
        let data = try #require(Data(base64Encoded: base64))
        let wav = try WAVFile.decode(data)
        #expect(audio["format"] as? String == "wav" && audio["sample_rate"] as? Int == Self.speechRate)
        #expect(wav.sampleRate == Self.speechRate)
        let rms = (wav.samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(wav.samples.count, 1))).squareRoot()
        #expect(rms > Self.silenceRMS, "\(rms)")
        return wav
    }

    @Test func aTypedQuestionIsAnsweredWithTheHealthiestProductInTextAndSpeech() async throws {
        let shelf = try await Self.shelf()
        try await post(shelf.client, "/v1/look", Self.body(image: shelf.photoURL, question: "Which of these is the healthiest?")) { response in
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let object = try jsonObject(response.body)
            let answer = try #require(object["answer"] as? String)
            #expect(answer.hasPrefix("The healthiest here is \(shelf.healthiest), Nutri-Score "), "\(answer)")
            let question = object["question"] as? [String: Any]
            #expect(question?["source"] as? String == "text")
            let products = try #require(object["products"] as? [[String: Any]])
            #expect(products.first?["name"] as? String == shelf.healthiest && products.count > 1)
            let wav = try Self.speech(object["audio"] as? [String: Any])
            #expect(Self.spokenSeconds.contains(wav.durationSeconds), "\(wav.durationSeconds) s")
        }
    }

    @Test func aSpokenQuestionIsRecognisedAndTheAnswerStreamsSentenceBySentence() async throws {
        let shelf = try await Self.shelf()
        let asked = try SpeechSynthesizer.shared.get().synthesize("Which one is healthy?")  // heard as "what is healthy" (SpeechTests)
        let audio = "data:audio/wav;base64," + asked.encoded().base64EncodedString()
        try await post(shelf.client, "/v1/look", Self.body(image: shelf.photoURL, audio: audio, stream: true)) { response in
            #expect(response.status == .ok && response.headers[.contentType] == "text/event-stream")
            let payloads = eventPayloads(response.body)
            #expect(payloads.last == "[DONE]")
            let events = try payloads.dropLast().map { try jsonObject(ByteBuffer(string: $0)) }
            #expect(events.map { $0["type"] as? String }.first == "question")
            let question = events.first?["question"] as? [String: Any]
            #expect(question?["source"] as? String == "speech")
            let heard = (question?["text"] as? String) ?? ""
            #expect(heard.split(separator: " ").contains("healthy"), "\(heard)")
            let audios = events.filter { $0["type"] as? String == "audio" }
            #expect((1...2).contains(audios.count) && audios.map { $0["index"] as? Int } == Array(0..<audios.count))
            let first = (audios.first?["sentence"] as? String) ?? ""
            #expect(first.hasPrefix("The healthiest here is \(shelf.healthiest),"), "\(first)")
            for event in audios { _ = try Self.speech(event["audio"] as? [String: Any]) }
            let done = try #require(events.last)
            #expect(done["type"] as? String == "done")
            let answer = (done["answer"] as? String) ?? ""
            #expect(answer == audios.compactMap { $0["sentence"] as? String }.joined(separator: " "))
            let text = events.compactMap { $0["delta"] as? String }.joined()
            #expect(text.hasPrefix(answer.prefix(40)), "the text deltas carry the spoken sentences")
            // The grounded sentence is written and spoken before any of the model's text.
            #expect(events.count > 3 && events[1]["type"] as? String == "text" && events[2]["type"] as? String == "audio")
        }
    }

    private func expectError(_ client: InProcessClient, _ body: String, status: HTTPResponse.Status = .badRequest,
                             code: String?, param: String?) async throws {
        try await post(client, "/v1/look", body) { response in
            #expect(response.status == status, "\(String(buffer: response.body))")
            let error = try errorObject(response.body)
            #expect(error["code"] as? String == code && error["param"] as? String == param, "\(error)")
        }
    }

    @Test func badPhotosAndRecordingsAreOpenAIErrors() async throws {
        let shelf = try await Self.shelf()
        let brokenJPEG = "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ=="
        try await expectError(shelf.client, Self.body(image: brokenJPEG, question: "What is this?"), code: "invalid_image", param: "image_url")
        try await expectError(shelf.client, Self.body(image: shelf.photoURL, audio: Data("RIFF1234WAVE".utf8).base64EncodedString()),
                              code: "invalid_audio", param: "audio")
        try await expectError(shelf.client, Self.body(image: shelf.photoURL, audio: "not base64!"), code: "invalid_audio", param: "audio")
        let silence = WAVFile(sampleRate: 16000, samples: [Int16](repeating: 0, count: 16000)).encoded().base64EncodedString()
        try await expectError(shelf.client, Self.body(image: shelf.photoURL, audio: silence), code: "no_speech", param: "audio")
        try await expectError(shelf.client, Self.body(image: shelf.photoURL), code: nil, param: "question")
        try await expectError(shelf.client, Self.body(image: shelf.photoURL, question: "Hi", audio: silence), code: nil, param: "question")
    }

    @Test func lookNeedsAKeyLikeEveryV1Route() async throws {
        let access = AccessControl(database: try Database(try TestDatabase.freshSQLite()), mode: .required, server: "test",
                                   listensOnLoopbackOnly: true, clock: { Date(timeIntervalSince1970: 1_800_000_000) })
        let shelf = try await Self.shelf(access: access)
        try await expectError(shelf.client, Self.body(image: shelf.photoURL, question: "Which is best?"),
                              status: .unauthorized, code: "missing_api_key", param: nil)
    }
}
