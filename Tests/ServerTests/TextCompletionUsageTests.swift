import Foundation
import Hummingbird
import Server
import Testing

/// `/v1/completions` reports the prefix cache like chat does, streamed or not, and names
/// `prompt` when it is too long.
@Suite(.serialized) struct TextCompletionUsageTests {
    static func body(_ prompt: String, extra: String = "") -> String {
        #"{"model":"\#(TestServer.modelID)","prompt":\#(ChatCompletionTests.jsonString(prompt)),"temperature":0,"max_tokens":4\#(extra)}"#
    }

    @Test func aRepeatedPromptIsCachedStreamedOrNot() async throws {
        let api = try TestServer.makeAPI()
        defer { api.scheduler.shutdown() }
        let client = InProcessClient(api)
        let prompt = "The three primary colours are"
        try await post(client, "/v1/completions", Self.body(prompt)) { response in
            let usage = try #require(try jsonObject(response.body)["usage"] as? [String: Any])
            #expect((usage["prompt_tokens_details"] as? [String: Any])?["cached_tokens"] as? Int == 0)
        }
        try await post(client, "/v1/completions", Self.body(prompt, extra: #","stream":true,"stream_options":{"include_usage":true}"#)) { response in
            let payloads = eventPayloads(response.body)
            #expect(payloads.last == "[DONE]")
            let last = try #require(payloads.dropLast().last)
            let chunk = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
            let usage = try #require(chunk["usage"] as? [String: Any])
            let prompted = try #require(usage["prompt_tokens"] as? Int)
            #expect((usage["prompt_tokens_details"] as? [String: Any])?["cached_tokens"] as? Int == prompted)
        }
    }

    @Test func aTooLongPromptNamesPrompt() async throws {
        let api = try TestServer.shared.get()
        let long = String(repeating: "word ", count: TestServer.contextLength + 10)
        try await post(InProcessClient(api), "/v1/completions", Self.body(long)) { response in
            #expect(response.status == .badRequest)
            let error = try errorObject(response.body)
            #expect(error["code"] as? String == "context_length_exceeded")
            #expect(error["param"] as? String == "prompt")
        }
    }
}
