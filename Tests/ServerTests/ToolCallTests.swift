import Foundation
import Hummingbird
import Server
import Testing

/// `tools` / `tool_choice`: calls constrained to the tools' schemas, OpenAI's response and stream
/// shapes, the history round trip and the 400s.
@Suite(.serialized) struct ToolCallTests {
    let api: MuseAPI

    init() throws { api = try TestServer.shared.get() }

    static let tools = #"""
        [{"type":"function","function":{"name":"get_weather","description":"Current weather in a city",
          "parameters":{"type":"object","properties":{"city":{"type":"string","maxLength":30},
                        "unit":{"type":"string","enum":["celsius","fahrenheit"]}},
                        "required":["city","unit"],"additionalProperties":false}}},
         {"type":"function","function":{"name":"get_time","description":"Current time in a time zone",
          "parameters":{"type":"object","properties":{"zone":{"type":"string","maxLength":30}},"required":["zone"],
                        "additionalProperties":false}}}]
        """#
    static let question = #"[{"role":"user","content":"What is the weather in Paris?"}]"#

    static func body(messages: String = question, choice: String = #""required""#, maxTokens: Int = 100,
                     extra: String = "") -> String {
        #"{"model":"\#(TestServer.modelID)","messages":\#(messages),"tools":\#(tools),"tool_choice":\#(choice),"#
            + #""temperature":0,"max_tokens":\#(maxTokens)\#(extra)}"#
    }

    /// The first choice of a non-streamed answer.
    func firstChoice(_ body: String) async throws -> [String: Any] {
        final class Box: @unchecked Sendable { var choice: [String: Any] = [:] }
        let box = Box()
        try await post(InProcessClient(api), "/v1/chat/completions", body) { response in
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            box.choice = try #require((try jsonObject(response.body)["choices"] as? [[String: Any]])?.first)
        }
        return box.choice
    }

    /// Checks a call's shape and that its arguments follow get_weather's or get_time's parameters.
    static func expectValidCall(_ call: [String: Any], named expected: String? = nil) throws {
        #expect((call["id"] as? String)?.hasPrefix("call_") == true)
        #expect(call["type"] as? String == "function")
        let function = try #require(call["function"] as? [String: Any])
        let name = try #require(function["name"] as? String)
        if let expected { #expect(name == expected) }
        let text = try #require(function["arguments"] as? String)
        let arguments = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
        switch name {
        case "get_weather":
            #expect(Set(arguments.keys) == ["city", "unit"], "\(text)")
            #expect(arguments["city"] is String)
            #expect(["celsius", "fahrenheit"].contains(arguments["unit"] as? String))
        case "get_time":
            #expect(Set(arguments.keys) == ["zone"] && arguments["zone"] is String, "\(text)")
        default:
            Issue.record("unknown function \(name)")
        }
    }

    @Test func requiredChoiceAnswersWithCalls() async throws {
        let choice = try await firstChoice(Self.body())
        #expect(choice["finish_reason"] as? String == "tool_calls")
        let message = try #require(choice["message"] as? [String: Any])
        #expect(message["content"] is NSNull)
        let calls = try #require(message["tool_calls"] as? [[String: Any]])
        #expect(!calls.isEmpty)
        for call in calls { try Self.expectValidCall(call) }
    }

    /// Calls cut short by max_tokens: the ones that closed are returned, with "length".
    @Test func truncatedCallsKeepTheWholeOnes() async throws {
        let choice = try await firstChoice(Self.body(maxTokens: 60))
        #expect(choice["finish_reason"] as? String == "length")
        let message = try #require(choice["message"] as? [String: Any])
        let calls = try #require(message["tool_calls"] as? [[String: Any]], "\(message)")
        #expect(message["content"] is NSNull)
        for call in calls { try Self.expectValidCall(call) }
    }

    @Test func namedFunctionIsTheOneCalled() async throws {
        let choice = try await firstChoice(Self.body(choice: #"{"type":"function","function":{"name":"get_time"}}"#,
                                                     extra: #","parallel_tool_calls":false"#))
        let calls = try #require((choice["message"] as? [String: Any])?["tool_calls"] as? [[String: Any]])
        #expect(calls.count == 1)
        for call in calls { try Self.expectValidCall(call, named: "get_time") }
    }

    @Test func autoAnswersWithCallsOrText() async throws {
        let choice = try await firstChoice(Self.body(choice: #""auto""#))
        let message = try #require(choice["message"] as? [String: Any])
        if let calls = message["tool_calls"] as? [[String: Any]] {
            #expect(choice["finish_reason"] as? String == "tool_calls")
            for call in calls { try Self.expectValidCall(call) }
        } else {
            // A text answer: all of it, or what fit in max_tokens (not the JSON around it).
            #expect(["stop", "length"].contains(choice["finish_reason"] as? String))
            let content = try #require(message["content"] as? String)
            #expect(!content.hasPrefix("{"), "\(content)")
        }
    }

    @Test func streamedCallsAccumulateLikeTheClientDoes() async throws {
        try await post(InProcessClient(api), "/v1/chat/completions", Self.body(extra: #","stream":true"#)) { response in
            #expect(response.status == .ok)
            var calls: [Int: [String: Any]] = [:], arguments: [Int: String] = [:], finish: String?, content = ""
            for payload in eventPayloads(response.body).dropLast() {
                let chunk = try #require(try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])
                for choice in chunk["choices"] as? [[String: Any]] ?? [] {
                    let delta = choice["delta"] as? [String: Any] ?? [:]
                    content += delta["content"] as? String ?? ""
                    if let reason = choice["finish_reason"] as? String { finish = reason }
                    for piece in delta["tool_calls"] as? [[String: Any]] ?? [] {
                        let index = try #require(piece["index"] as? Int)
                        let function = piece["function"] as? [String: Any] ?? [:]
                        if let id = piece["id"] as? String {
                            #expect(calls[index] == nil, "id only on the first delta of a call")
                            calls[index] = ["id": id, "type": piece["type"] ?? "", "name": function["name"] ?? ""]
                        }
                        arguments[index, default: ""] += function["arguments"] as? String ?? ""
                    }
                }
            }
            #expect(finish == "tool_calls")
            #expect(content.isEmpty)
            #expect(!calls.isEmpty && calls.keys.sorted() == Array(0..<calls.count))
            for (index, call) in calls {
                try Self.expectValidCall(["id": call["id"] ?? "", "type": call["type"] ?? "",
                                          "function": ["name": call["name"] ?? "", "arguments": arguments[index] ?? ""]])
            }
        }
    }

    @Test func toolResultRoundTripEndsInAnAnswer() async throws {
        let first = try await firstChoice(Self.body(choice: #"{"type":"function","function":{"name":"get_weather"}}"#))
        let call = try #require(((first["message"] as? [String: Any])?["tool_calls"] as? [[String: Any]])?.first)
        let id = try #require(call["id"] as? String)
        let callJSON = String(decoding: try JSONSerialization.data(withJSONObject: call), as: UTF8.self)
        let history = #"[{"role":"user","content":"What is the weather in Paris?"},"#
            + #"{"role":"assistant","content":null,"tool_calls":[\#(callJSON)]},"#
            + #"{"role":"tool","tool_call_id":"\#(id)","content":"22 degrees celsius and sunny"}]"#
        // "none": the tools are not offered, the answer is free text about the result.
        let plain = try await firstChoice(Self.body(messages: history, choice: #""none""#))
        let message = try #require(plain["message"] as? [String: Any])
        #expect(message["tool_calls"] == nil)
        #expect(!((message["content"] as? String) ?? "").isEmpty)
        // "auto" after a result: still a well-formed answer of either kind.
        let auto = try await firstChoice(Self.body(messages: history, choice: #""auto""#))
        #expect(["stop", "tool_calls", "length"].contains(auto["finish_reason"] as? String))
    }

    @Test(arguments: [
        (#"{"model":"\#(TestServer.modelID)","messages":\#(question),"tool_choice":"required"}"#, "tool_choice"),
        (body(choice: #"{"type":"function","function":{"name":"nope"}}"#), "tool_choice"),
        (body(choice: #""sometimes""#), "tool_choice"),
        (#"{"model":"\#(TestServer.modelID)","messages":\#(question),"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"a":{"type":"number","minimum":1}}}}}]}"#, "tools"),
        (#"{"model":"\#(TestServer.modelID)","messages":\#(question),"tools":[{"type":"retrieval"}]}"#, "tools"),
        (#"{"model":"\#(TestServer.modelID)","messages":\#(question),"tools":[{"type":"function","function":{"name":"bad name"}}]}"#, "tools"),
        (body(extra: #","response_format":{"type":"json_object"}"#), "response_format"),
    ])
    func badToolRequestsAre400(_ body: String, _ param: String) async throws {
        try await post(InProcessClient(api), "/v1/chat/completions", body) { response in
            #expect(response.status == .badRequest)
            let error = try errorObject(response.body)
            #expect(error["type"] as? String == "invalid_request_error")
            #expect(error["param"] as? String == param, "\(error)")
        }
    }
}
