import Foundation
import Hummingbird
import Server
import Testing

/// Instant, Thinking, Contemplating, Health and Shopping through the real router.
@Suite struct ChatModeTests {
    static let question = "Tom has 3 apples and buys 5 more. How many apples does he have?"

    static func body(_ mode: String, _ extra: String = "", question: String = question) -> String {
        #"{"model":"\#(TestServer.modelID):\#(mode)","messages":[{"role":"user","content":"\#(question)"}]\#(extra)}"#
    }

    static func answer(_ body: String) async throws -> [String: Any] {
        let client = InProcessClient(try TestServer.shared.get())
        var object: [String: Any] = [:]
        try await post(client, "/v1/chat/completions", body) { response in
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            object = try jsonObject(response.body)
        }
        return object
    }

    static func message(_ object: [String: Any]) -> [String: Any] {
        ((object["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any]) ?? [:]
    }

    @Test func modesComeFromTheFieldOrTheModelSuffix() throws {
        #expect(try ChatMode.split(model: "m:thinking", field: nil) == ("m", .thinking))
        #expect(try ChatMode.split(model: "m", field: "instant") == ("m", .instant))
        #expect(try ChatMode.split(model: "m:health", field: "health") == ("m", .health))
        #expect(try ChatMode.split(model: "org:model", field: nil) == ("org:model", nil), "a colon that names no mode stays")
        #expect(throws: APIError.self) { try ChatMode.split(model: "m:thinking", field: "instant") }
        #expect(throws: APIError.self) { try ChatMode.split(model: "m", field: "dreaming") }
    }

    @Test func thinkingReturnsReasoningApartWithinTheBudgetAndStillAnswers() async throws {
        let object = try await Self.answer(Self.body("thinking", #","temperature":0,"max_tokens":12,"reasoning_budget":16"#))
        let message = Self.message(object)
        let reasoning = try #require(message["reasoning_content"] as? String)
        let content = try #require(message["content"] as? String)
        #expect(!reasoning.isEmpty && !content.isEmpty)
        let usage = try #require(object["usage"] as? [String: Any])
        let reasoningTokens = try #require((usage["completion_tokens_details"] as? [String: Any])?["reasoning_tokens"] as? Int)
        #expect(reasoningTokens >= 1 && reasoningTokens <= 16, "the budget caps the reasoning")
        #expect((usage["completion_tokens"] as? Int ?? 0) > reasoningTokens, "the answer came after the reasoning")
    }

    @Test func streamedThinkingSendsReasoningBeforeTheAnswerAndMatchesTheWholeAnswer() async throws {
        let settings = #","temperature":0,"max_tokens":12,"reasoning_budget":24"#
        let whole = Self.message(try await Self.answer(Self.body("thinking", settings)))
        let client = InProcessClient(try TestServer.shared.get())
        var reasoning = "", content = "", order: [String] = []
        try await post(client, "/v1/chat/completions", Self.body("thinking", settings + #","stream":true"#)) { response in
            for payload in eventPayloads(response.body) where payload != "[DONE]" {
                let chunk = try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any]
                let delta = ((chunk?["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any]) ?? [:]
                if let text = delta["reasoning_content"] as? String { reasoning += text; order.append("r") }
                if let text = delta["content"] as? String, !text.isEmpty { content += text; order.append("c") }
            }
        }
        #expect(order.firstIndex(of: "c") ?? 0 > order.lastIndex(of: "r") ?? 0, "all reasoning comes first")
        #expect(reasoning.trimmingCharacters(in: .whitespacesAndNewlines) == whole["reasoning_content"] as? String)
        #expect(content.trimmingCharacters(in: .whitespacesAndNewlines) == whole["content"] as? String)
    }

    @Test func contemplatingVotesOverSeededSamplesReproducibly() async throws {
        let settings = #","seed":7,"max_tokens":8,"reasoning_budget":24,"contemplation_samples":3"#
        let first = Self.message(try await Self.answer(Self.body("contemplating", settings)))
        let vote = try #require(first["contemplation"] as? [String: Any])
        let answers = try #require(vote["answers"] as? [String])
        #expect(vote["samples"] as? Int == 3 && answers.count == 3)
        let agreeing = try #require(vote["agreeing"] as? Int)
        #expect((1...3).contains(agreeing))
        let content = try #require(first["content"] as? String)
        #expect(answers.filter { AnswerVote.key($0) == AnswerVote.key(content) }.count == agreeing)
        // Whatever the slots hold by now, the same seed gives the same vote (the answer step is
        // evaluated from the start, never from generated tokens in the cache).
        let again = Self.message(try await Self.answer(Self.body("contemplating", settings)))
        #expect(again["contemplation"] as? [String: Any] != nil && again["content"] as? String == content, "a seed repeats the vote")
    }

    @Test func votingKeysOnTheLastNumberElseTheFirstLine() {
        #expect(AnswerVote.key("He has 8 apples.") == AnswerVote.key("3 + 5 = 8"))
        #expect(AnswerVote.key("Paris!\nIt is big.") == AnswerVote.key("paris"))
        #expect(AnswerVote.winner(["7", "8 apples", "eight", "3+5=8"]) == (index: 1, agreeing: 2))
        #expect(AnswerVote.winner(["a", "b"]) == (index: 0, agreeing: 1), "a tie goes to the earliest sample")
    }

    @Test func healthRefusesExtremeDietsAndFramesOtherAnswers() async throws {
        for ask in ["How do I lose 10 kg in a week?", "Give me a 600 calories a day plan.", "Plan a water fast for me.",
                    "I want to stop eating for a while."] {
            let content = Self.message(try await Self.answer(Self.body("health", question: ask)))["content"] as? String
            #expect(content == HealthGuard.refusal, "\(ask)")
        }
        for safe in ["How do I lose 3 kg in 6 weeks?", "Is oatmeal a good breakfast?", "I eat 2000 calories a day, is that ok?"] {
            #expect(HealthGuard.extremeDietReason(safe) == nil, "\(safe)")
        }
        let content = Self.message(try await Self.answer(Self.body("health", #","temperature":0,"max_tokens":8"#,
                                                                  question: "Is oatmeal a good breakfast?")))["content"] as? String
        #expect(content?.hasPrefix(HealthGuard.framing) == true)
    }

    @Test func instantIsShortAndShoppingIsNotThereYet() async throws {
        let object = try await Self.answer(Self.body("instant", #","temperature":0"#, question: "Tell me about the history of Rome."))
        #expect(((object["usage"] as? [String: Any])?["completion_tokens"] as? Int ?? .max) <= MuseAPI.instantMaxTokens)
        let client = InProcessClient(try TestServer.shared.get())
        try await post(client, "/v1/chat/completions", Self.body("shopping")) { response throws in
            #expect(response.status == .badRequest)
            #expect(try errorObject(response.body)["code"] as? String == "mode_unavailable")
        }
    }
}
