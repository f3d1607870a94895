import Foundation
import Hummingbird
import Server
import Testing

/// `response_format: {"type":"json_schema", ...}`: answers follow the schema; bad schemas are 400s.
@Suite(.serialized) struct JSONSchemaResponseTests {
    let api: MuseAPI

    init() throws { api = try TestServer.shared.get() }

    static let citySchema = #"""
        {"type":"object","additionalProperties":false,"required":["city","country","population"],
         "properties":{"city":{"type":"string","maxLength":40},"country":{"type":"string","enum":["France","Italy"]},
                       "population":{"type":"integer"},"rivers":{"type":"array","items":{"type":"string"},"maxItems":2}}}
        """#

    static func body(schema: String = citySchema, name: String? = "city", extra: String = "") -> String {
        let nameField = name.map { #""name":\#(ChatCompletionTests.jsonString($0)),"# } ?? ""
        return #"{"model":"\#(TestServer.modelID)","messages":[{"role":"user","content":"Describe Paris as JSON."}],"#
            + #""temperature":0,"max_tokens":120,"response_format":{"type":"json_schema","json_schema":{\#(nameField)"#
            + #""strict":true,"schema":\#(schema)}}\#(extra)}"#
    }

    /// The object the schema above describes, checked field by field.
    static func expectCity(_ text: String) throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
        #expect(Set(object.keys).isSubset(of: ["city", "country", "population", "rivers"]), "\(text)")
        #expect(((object["city"] as? String)?.count ?? 99) <= 40, "\(text)")
        #expect(["France", "Italy"].contains(object["country"] as? String), "\(text)")
        #expect(object["population"] is Int, "\(text)")
        if let rivers = object["rivers"] { #expect(((rivers as? [String])?.count ?? 9) <= 2, "\(text)") }
    }

    @Test func answerValidatesAgainstTheSchema() async throws {
        try await post(InProcessClient(api), "/v1/chat/completions", Self.body()) { response in
            #expect(response.status == .ok)
            let choice = try #require((try jsonObject(response.body)["choices"] as? [[String: Any]])?.first)
            #expect(choice["finish_reason"] as? String == "stop")
            try Self.expectCity(try #require((choice["message"] as? [String: Any])?["content"] as? String))
        }
    }

    @Test func streamedAnswerValidatesToo() async throws {
        try await post(InProcessClient(api), "/v1/chat/completions", Self.body(extra: #","stream":true"#)) { response in
            #expect(response.status == .ok)
            var content = "", finish: String?
            for payload in eventPayloads(response.body).dropLast() {
                let chunk = try #require(try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])
                for choice in chunk["choices"] as? [[String: Any]] ?? [] {
                    content += (choice["delta"] as? [String: Any])?["content"] as? String ?? ""
                    if let reason = choice["finish_reason"] as? String { finish = reason }
                }
            }
            #expect(finish == "stop")
            try Self.expectCity(content)
        }
    }

    @Test(arguments: [
        body(schema: #"{"type":"object","properties":{"s":{"type":"string","pattern":"^a"}}}"#),
        body(schema: ##"{"type":"object","properties":{"p":{"$ref":"#/$defs/nothing"}}}"##),
        body(schema: #"{"type":"bogus"}"#),
        body(schema: #""not a schema""#),
        body(name: nil),
        #"{"model":"\#(TestServer.modelID)","messages":[{"role":"user","content":"Hi"}],"response_format":{"type":"json_schema"}}"#,
        #"{"model":"\#(TestServer.modelID)","messages":[{"role":"user","content":"Hi"}],"response_format":{"type":"yaml"}}"#,
    ])
    func badSchemasAre400(_ body: String) async throws {
        try await post(InProcessClient(api), "/v1/chat/completions", body) { response in
            #expect(response.status == .badRequest)
            let error = try errorObject(response.body)
            #expect(error["type"] as? String == "invalid_request_error")
            #expect(error["param"] as? String == "response_format")
            #expect(!(error["message"] as? String ?? "").isEmpty)
        }
    }

    @Test func patternIsNamedInTheMessage() async throws {
        let body = Self.body(schema: #"{"type":"object","properties":{"s":{"type":"string","pattern":"^a"}}}"#)
        try await post(InProcessClient(api), "/v1/chat/completions", body) { response in
            let message = try #require(try errorObject(response.body)["message"] as? String)
            #expect(message.contains("pattern") && message.contains("/properties/s"), "\(message)")
        }
    }
}
