import Foundation
import Generation
import Hummingbird
import Server
import Testing
import Tokenization

@Suite(.serialized) struct ChatCompletionTests {
    let api: MuseAPI

    init() throws { api = try TestServer.shared.get() }
    init(api: MuseAPI) { self.api = api }

    /// What the engine itself answers greedily to one user message (the reference for the API).
    func engineAnswer(_ message: String, maxTokens: Int) throws -> String {
        let tokenizer = api.scheduler.loaded.tokenizer
        let template = try #require(tokenizer.chatTemplate)
        let prompt = tokenizer.encode(template.render([ChatMessage(role: "user", content: message)], addGenerationPrompt: true),
                                      addSpecial: true, parseSpecial: true)
        let session = try GenerationSession(model: api.scheduler.loaded.model, contextLength: TestServer.contextLength)
        let generator = TextGenerator(model: api.scheduler.loaded.model, tokenizer: tokenizer)
        return try generator.generate(prompt: prompt, in: session,
                                      options: GenerationOptions(maxTokens: maxTokens, sampling: .greedy)).text
    }

    static func chatBody(_ message: String, extra: String = "") -> String {
        #"{"model":"\#(TestServer.modelID)","messages":[{"role":"user","content":\#(jsonString(message))}],"temperature":0,"max_tokens":16\#(extra)}"#
    }

    static func jsonString(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data(), as: UTF8.self)
    }

    @Test func greedyChatEqualsTheEngine() async throws {
        let expected = try engineAnswer("What is the capital of France?", maxTokens: 16)
        do { let client = InProcessClient(api)
            try await post(client, "/v1/chat/completions", Self.chatBody("What is the capital of France?")) { response in
                #expect(response.status == .ok)
                let object = try jsonObject(response.body)
                #expect(object["object"] as? String == "chat.completion")
                #expect(object["model"] as? String == TestServer.modelID)
                #expect(object["system_fingerprint"] as? String == TestServer.fingerprint)
                let choices = try #require(object["choices"] as? [[String: Any]])
                let message = try #require(choices.first?["message"] as? [String: Any])
                #expect(message["role"] as? String == "assistant")
                #expect(message["content"] as? String == expected)
                let usage = try #require(object["usage"] as? [String: Any])
                #expect((usage["completion_tokens"] as? Int ?? 0) > 0)
                #expect(usage["total_tokens"] as? Int == (usage["prompt_tokens"] as? Int ?? 0) + (usage["completion_tokens"] as? Int ?? 0))
            }
        }
    }

    @Test func streamedChunksAddUpToTheAnswer() async throws {
        let expected = try engineAnswer("Name three colours.", maxTokens: 16)
        let body = Self.chatBody("Name three colours.", extra: #","stream":true,"stream_options":{"include_usage":true}"#)
        do { let client = InProcessClient(api)
            try await post(client, "/v1/chat/completions", body) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/event-stream")
                let payloads = eventPayloads(response.body)
                #expect(payloads.last == "[DONE]")
                var content = "", finish: String?, usage: [String: Any]?
                for payload in payloads.dropLast() {
                    let chunk = try #require(try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])
                    #expect(chunk["object"] as? String == "chat.completion.chunk")
                    if let u = chunk["usage"] as? [String: Any] { usage = u }
                    for choice in chunk["choices"] as? [[String: Any]] ?? [] {
                        let delta = choice["delta"] as? [String: Any] ?? [:]
                        content += delta["content"] as? String ?? ""
                        if let f = choice["finish_reason"] as? String { finish = f }
                    }
                }
                #expect(content == expected)
                #expect(finish == "length" || finish == "stop")
                #expect((usage?["completion_tokens"] as? Int ?? 0) > 0)
            }
        }
    }

    @Test func twoSeededChoicesRepeat() async throws {
        let body = #"{"model":"\#(TestServer.modelID)","messages":[{"role":"user","content":"Tell me a story."}],"temperature":1,"seed":7,"n":2,"max_tokens":12}"#
        final class Runs: @unchecked Sendable { var values: [[String]] = [] }
        let runs = Runs()
        do { let client = InProcessClient(api)
            for _ in 0..<2 {
                try await post(client, "/v1/chat/completions", body) { response in
                    #expect(response.status == .ok)
                    let choices = try #require(try jsonObject(response.body)["choices"] as? [[String: Any]])
                    #expect(choices.map { $0["index"] as? Int } == [0, 1])
                    runs.values.append(choices.map { ($0["message"] as? [String: Any])?["content"] as? String ?? "" })
                }
            }
        }
        #expect(runs.values.count == 2 && runs.values[0] == runs.values[1], "the same seed gives the same choices")
    }

    @Test func stopStringEndsTheAnswerBeforeIt() async throws {
        let full = try engineAnswer("What is the capital of France?", maxTokens: 16)
        let words = full.split(separator: " ")
        let stop = try #require(words.count > 3 ? String(words[2]) : nil)
        let body = Self.chatBody("What is the capital of France?", extra: #","stop":[\#(Self.jsonString(stop))]"#)
        do { let client = InProcessClient(api)
            try await post(client, "/v1/chat/completions", body) { response in
                let choice = try #require((try jsonObject(response.body)["choices"] as? [[String: Any]])?.first)
                let content = try #require((choice["message"] as? [String: Any])?["content"] as? String)
                #expect(!content.contains(stop))
                #expect(full.hasPrefix(content))
                #expect(choice["finish_reason"] as? String == "stop")
            }
        }
    }

    @Test func logprobsHaveOpenAIsShape() async throws {
        let body = Self.chatBody("Hi!", extra: #","logprobs":true,"top_logprobs":3"#)
        do { let client = InProcessClient(api)
            try await post(client, "/v1/chat/completions", body) { response in
                let choice = try #require((try jsonObject(response.body)["choices"] as? [[String: Any]])?.first)
                let content = try #require((choice["logprobs"] as? [String: Any])?["content"] as? [[String: Any]])
                #expect(!content.isEmpty)
                for entry in content {
                    let top = try #require(entry["top_logprobs"] as? [[String: Any]])
                    #expect(top.count == 3)
                    let values = top.compactMap { $0["logprob"] as? Double }
                    #expect(values == values.sorted(by: >) && values.allSatisfy { $0 <= 0 })
                    // Greedy: the chosen token is the most likely one.
                    #expect(entry["token"] as? String == top.first?["token"] as? String)
                    #expect(entry["bytes"] is [Int])
                }
            }
        }
    }
}

/// Requests decoded together in one scheduler step get the answers they get alone.
@Suite(.serialized) struct ConcurrentRequestTests {
    @Test func concurrentGreedyRequestsEqualLoneAnswers() async throws {
        let api = try TestServer.shared.get()
        let questions = ["What is the capital of France?", "Name a fruit.", "Count to five.", "Say hello.", "What is water?"]
        let tester = ChatCompletionTests(api: api)
        let expected = try questions.map { try tester.engineAnswer($0, maxTokens: 16) }
        do { let client = InProcessClient(api)
            try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for (index, question) in questions.enumerated() {
                    group.addTask {
                        try await client.execute(uri: "/v1/chat/completions", method: .post, headers: [.contentType: "application/json"],
                                                 body: ByteBuffer(string: ChatCompletionTests.chatBody(question))) { response in
                            let choice = try #require((try jsonObject(response.body)["choices"] as? [[String: Any]])?.first)
                            return (index, (choice["message"] as? [String: Any])?["content"] as? String ?? "")
                        }
                    }
                }
                for try await (index, content) in group {
                    #expect(content == expected[index], "\(questions[index])")
                }
            }
        }
    }
}
