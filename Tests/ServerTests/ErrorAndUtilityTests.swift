import Foundation
import Generation
import Hummingbird
import Server
import Testing

@Suite(.serialized) struct ErrorAndUtilityTests {
    let api: MuseAPI

    init() throws { api = try TestServer.shared.get() }

    /// Sends a request expected to fail and checks status, error type and (optionally) param/code.
    func expectError(_ uri: String, method: HTTPRequest.Method = .post, body: String?, status: HTTPResponse.Status,
                     type: String, param: String? = nil, code: String? = nil) async throws {
        do { let client = InProcessClient(api)
            try await client.execute(uri: uri, method: method, headers: [.contentType: "application/json"],
                                     body: body.map { ByteBuffer(string: $0) }) { response in
                #expect(response.status == status, "\(uri): \(String(buffer: response.body))")
                let error = try errorObject(response.body)
                #expect(error["type"] as? String == type)
                #expect(!(error["message"] as? String ?? "").isEmpty)
                if let param { #expect(error["param"] as? String == param) }
                if let code { #expect(error["code"] as? String == code) }
            }
        }
    }

    static let model = TestServer.modelID

    @Test func badRequestsGetOpenAIErrors() async throws {
        try await expectError("/v1/chat/completions", body: "{not json", status: .badRequest, type: "invalid_request_error")
        try await expectError("/v1/chat/completions", body: #"{"model":"\#(Self.model)"}"#, status: .badRequest,
                              type: "invalid_request_error")
        try await expectError("/v1/chat/completions", body: #"{"model":"gpt-9","messages":[{"role":"user","content":"hi"}]}"#,
                              status: .badRequest, type: "invalid_request_error", param: "model", code: "model_not_found")
        try await expectError("/v1/chat/completions",
                              body: #"{"model":"\#(Self.model)","messages":[{"role":"user","content":"hi"}],"temperature":3}"#,
                              status: .badRequest, type: "invalid_request_error", param: "temperature")
        try await expectError("/v1/chat/completions",
                              body: #"{"model":"\#(Self.model)","messages":[{"role":"user","content":"hi"}],"max_tokens":0}"#,
                              status: .badRequest, type: "invalid_request_error", param: "max_tokens")
        try await expectError("/v1/chat/completions",
                              body: #"{"model":"\#(Self.model)","messages":[{"role":"wizard","content":"hi"}]}"#,
                              status: .badRequest, type: "invalid_request_error", param: "messages")
        let long = String(repeating: "word ", count: 3000)
        try await expectError("/v1/chat/completions",
                              body: #"{"model":"\#(Self.model)","messages":[{"role":"user","content":"\#(long)"}]}"#,
                              status: .badRequest, type: "invalid_request_error", code: "context_length_exceeded")
    }

    @Test func unknownRoutesAndModelsAre404() async throws {
        try await expectError("/v1/nothing", method: .get, body: nil, status: .notFound, type: "invalid_request_error")
        try await expectError("/v1/models/gpt-9", method: .get, body: nil, status: .notFound, type: "not_found_error",
                              code: "model_not_found")
    }

    @Test func aKnownPathWithTheWrongMethodIs405() async throws {
        let client = InProcessClient(try TestServer.shared.get())
        try await client.execute(uri: "/v1/chat/completions", method: .get) { response throws in
            #expect(response.status == .methodNotAllowed && response.headers[.allow] == "POST")
            #expect(try errorObject(response.body)["message"] as? String == "GET is not allowed on /v1/chat/completions; use POST")
        }
        try await client.execute(uri: "/v1/models/anything", method: .delete) { response in
            #expect(response.status == .methodNotAllowed && response.headers[.allow] == "GET")
        }
        // Every route of the table answers its own method (none is a 404 or 405).
        for (path, method) in MuseAPI.routeMethods {
            let uri = path.replacingOccurrences(of: "{id}", with: TestServer.modelID)
            try await client.execute(uri: uri, method: method, headers: [.contentType: "application/json"],
                                     body: method == .post ? ByteBuffer(string: "{}") : nil) { response in
                #expect(response.status != .notFound && response.status != .methodNotAllowed, "\(method) \(path)")
            }
        }
    }

    @Test func oversizedBodyIs413() async throws {
        let big = String(repeating: "a", count: TestServer.bodyLimit + 1)
        try await expectError("/v1/chat/completions", body: #"{"model":"\#(Self.model)","messages":[{"role":"user","content":"\#(big)"}]}"#,
                              status: .contentTooLarge, type: "invalid_request_error")
    }

    @Test func fullQueueIs503() async throws {
        let small = try TestServer.makeAPI(maxQueue: 1)
        // Occupy the only slot with a generation nobody reads yet.
        let busy = try small.scheduler.generate(prompt: [1, 2, 3], options: GenerationOptions(maxTokens: 64, sampling: .greedy))
        do { let client = InProcessClient(small)
            try await post(client, "/v1/chat/completions",
                           #"{"model":"\#(Self.model)","messages":[{"role":"user","content":"hi"}],"max_tokens":4}"#) { response in
                #expect(response.status == .serviceUnavailable)
                let error = try errorObject(response.body)
                #expect(error["code"] as? String == "queue_full")
            }
        }
        var tokens = 0
        for try await event in busy { if case .token = event { tokens += 1 } }
        #expect(tokens > 0)
        small.scheduler.shutdown()
    }

    @Test func healthModelsAndTokenizeRoundTrip() async throws {
        do { let client = InProcessClient(api)
            try await client.execute(uri: "/health", method: .get) { response in #expect(response.status == .ok) }
            try await client.execute(uri: "/v1/models", method: .get) { response in
                let data = try #require(try jsonObject(response.body)["data"] as? [[String: Any]])
                #expect(data.map { $0["id"] as? String } == [Self.model])
            }
            try await client.execute(uri: "/v1/models/\(Self.model)", method: .get) { response in
                let object = try jsonObject(response.body)
                #expect(object["object"] as? String == "model")
            }
            let tokens = try await client.execute(uri: "/tokenize", method: .post, headers: [.contentType: "application/json"],
                                                  body: ByteBuffer(string: #"{"prompt":"Hello, world! Ünïcode 🙂"}"#)) { response in
                let object = try jsonObject(response.body)
                let tokens = try #require(object["tokens"] as? [Int])
                #expect(object["count"] as? Int == tokens.count)
                return tokens
            }
            try await post(client, "/detokenize", #"{"tokens":\#(tokens)}"#) { response in
                let object = try jsonObject(response.body)
                #expect(object["prompt"] as? String == "Hello, world! Ünïcode 🙂")
            }
            try await post(client, "/detokenize", #"{"tokens":[-1]}"#) { response in #expect(response.status == .badRequest) }
        }
    }

    @Test func textCompletionContinuesThePrompt() async throws {
        let loaded = api.scheduler.loaded
        let prompt = "The capital of France is"
        let session = try GenerationSession(model: loaded.model, contextLength: TestServer.contextLength)
        let expected = try TextGenerator(model: loaded.model, tokenizer: loaded.tokenizer).generate(
            prompt: loaded.tokenizer.encode(prompt, addSpecial: true, parseSpecial: true), in: session,
            options: GenerationOptions(maxTokens: 8, sampling: .greedy)).text
        do { let client = InProcessClient(api)
            try await post(client, "/v1/completions",
                           #"{"model":"\#(Self.model)","prompt":"\#(prompt)","temperature":0,"max_tokens":8,"logprobs":2}"#) { response in
                let object = try jsonObject(response.body)
                #expect(object["object"] as? String == "text_completion")
                let choice = try #require((object["choices"] as? [[String: Any]])?.first)
                #expect(choice["text"] as? String == expected)
                let logprobs = try #require(choice["logprobs"] as? [String: Any])
                #expect((logprobs["tokens"] as? [String])?.joined() == expected)
            }
        }
    }

    @Test func metricsCountRequestsAndTokens() async throws {
        let fresh = try TestServer.makeAPI()
        defer { fresh.scheduler.shutdown() }
        let client = InProcessClient(fresh)
        try await post(client, "/v1/chat/completions",
                       #"{"model":"\#(Self.model)","messages":[{"role":"user","content":"hi"}],"max_tokens":4,"temperature":0}"#) { response in
            #expect(response.status == .ok)
        }
        try await client.execute(uri: "/nowhere", method: .get) { response in #expect(response.status == .notFound) }
        let text = try await client.execute(uri: "/metrics", method: .get) { response in
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            return String(buffer: response.body)
        }
        #expect(text.contains(#"muse_requests_total{endpoint="/v1/chat/completions",status="200"} 1"#))
        #expect(text.contains(#"status="404"} 1"#))
        #expect(text.contains("muse_completion_tokens_total 4"))
        #expect(text.contains("muse_time_to_first_token_seconds_count 1"))
        #expect(text.contains("muse_queue_depth 0") && text.contains("muse_slots 8"))
    }

    @Test func embeddingsAreUnitVectorsWithTheReferenceSimilarity() async throws {
        let withEmbeddings = try TestServer.makeAPI(embeddings: true)
        defer { withEmbeddings.scheduler.shutdown() }
        let client = InProcessClient(withEmbeddings)
        let body = #"{"model":"all-MiniLM-L6-v2","input":["Which cereal has the least sugar?","Low-sugar breakfast cereals for kids"]}"#
        try await post(client, "/v1/embeddings", body) { response in
            #expect(response.status == .ok)
            let object = try jsonObject(response.body)
            let data = try #require(object["data"] as? [[String: Any]])
            let vectors = data.compactMap { $0["embedding"] as? [Double] }
            #expect(vectors.count == 2 && vectors.allSatisfy { $0.count == 384 })
            let cosine = zip(vectors[0], vectors[1]).reduce(0) { $0 + $1.0 * $1.1 }
            #expect(abs(cosine - 0.7217) < 1e-3, "cosine \(cosine)")
            #expect((object["usage"] as? [String: Any])?["prompt_tokens"] as? Int == 19)
        }
        try await post(client, "/v1/embeddings", #"{"model":"all-MiniLM-L6-v2","input":"hi","encoding_format":"base64"}"#) { response in
            let item = try #require((try jsonObject(response.body)["data"] as? [[String: Any]])?.first)
            let bytes = try #require(Data(base64Encoded: item["embedding"] as? String ?? ""))
            #expect(bytes.count == 384 * 4)
        }
        try await post(client, "/v1/embeddings", #"{"model":"nope","input":"hi"}"#) { response in
            #expect(response.status == .badRequest)
        }
        try await client.execute(uri: "/v1/models", method: .get) { response in
            let data = try #require(try jsonObject(response.body)["data"] as? [[String: Any]])
            #expect(data.compactMap { $0["id"] as? String } == [Self.model, "all-MiniLM-L6-v2"])
        }
    }
}
