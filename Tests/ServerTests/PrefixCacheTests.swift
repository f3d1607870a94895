import Foundation
import Hummingbird
import Server
import Testing

/// The scheduler's slots keep their KV caches: a repeated prompt or a conversation's next turn
/// evaluates only what is new, and an unrelated request does not take the slot others reuse.
@Suite(.serialized) struct PrefixCacheTests {
    static let pirate = #"[{"role":"system","content":"You are a pirate."},{"role":"user","content":"Where is the treasure?"}]"#
    static let arithmetic = #"[{"role":"user","content":"What is two plus two?"}]"#

    /// A greedy chat completion's answer and usage.
    static func ask(_ client: InProcessClient, messages: String) async throws -> (text: String, prompt: Int, cached: Int) {
        final class Box: @unchecked Sendable { var value: (String, Int, Int) = ("", 0, 0) }
        let box = Box()
        let body = #"{"model":"\#(TestServer.modelID)","messages":\#(messages),"temperature":0,"max_tokens":8}"#
        try await post(client, "/v1/chat/completions", body) { response in
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let object = try jsonObject(response.body)
            let message = (object["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any]
            let usage = try #require(object["usage"] as? [String: Any])
            let details = try #require(usage["prompt_tokens_details"] as? [String: Any])
            box.value = (message?["content"] as? String ?? "", usage["prompt_tokens"] as? Int ?? 0, details["cached_tokens"] as? Int ?? -1)
        }
        return box.value
    }

    @Test func anUnrelatedRequestKeepsAnotherConversationsCache() async throws {
        let api = try TestServer.makeAPI()
        defer { api.scheduler.shutdown() }
        let client = InProcessClient(api)
        let first = try await Self.ask(client, messages: Self.pirate)
        #expect(first.cached == 0)
        let other = try await Self.ask(client, messages: Self.arithmetic)
        #expect(other.cached < other.prompt / 2, "a different conversation shares only its first few tokens")
        let again = try await Self.ask(client, messages: Self.pirate)
        #expect(again.cached == again.prompt, "the whole prompt comes from the cache")
        #expect(again.text == first.text)
    }

    @Test func aConversationsNextTurnReusesItsHistory() async throws {
        let api = try TestServer.makeAPI()
        defer { api.scheduler.shutdown() }
        let client = InProcessClient(api)
        let first = try await Self.ask(client, messages: Self.pirate)
        let answer = ChatCompletionTests.jsonString(first.text)
        let next = Self.pirate.dropLast() + #",{"role":"assistant","content":\#(answer)},{"role":"user","content":"And then?"}]"#
        let second = try await Self.ask(client, messages: String(next))
        #expect(second.cached >= first.prompt, "the first turn's prompt is reused")
        #expect(second.cached < second.prompt)
    }
}
