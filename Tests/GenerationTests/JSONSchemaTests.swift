import Foundation
import Generation
import Testing
import TestSupport
import Tokenization

@Suite struct JSONSchemaTests {
    static let person = #"""
    {"type":"object","additionalProperties":false,"required":["name","age","tags"],
     "properties":{"name":{"type":"string","maxLength":8},"age":{"type":"integer"},
                   "tags":{"type":"array","items":{"enum":["a","b c"]},"maxItems":2},
                   "email":{"type":["string","null"]},"pet":{"$ref":"#/$defs/pet"}},
     "$defs":{"pet":{"type":"object","properties":{"kind":{"const":"cat"},"lives":{"type":"number"}},
                     "required":["kind"],"additionalProperties":false}}}
    """#

    func feed(_ text: String, _ schema: String = Self.person) throws -> (accepted: Bool, complete: Bool) {
        var grammar = JSONSchemaGrammar(try JSONSchema(json: schema))
        for byte in text.utf8 where !grammar.accept(byte) { return (false, false) }
        return (true, grammar.isComplete)
    }

    @Test(arguments: [
        #"{"name":"Ada","age":36,"tags":[]}"#,
        #"{ "name" : "Ada é" , "age" : -3, "tags" : ["b c", "a"] }"#,
        #"{"name":"A\"\u00e9","age":0,"tags":["a"],"email":null}"#,
        #"{"name":"Bo","age":1,"tags":[],"email":"b@x.org","pet":{"kind":"cat","lives":9.5e0}}"#,
        #"{"name":"Bo","age":1,"tags":[],"pet":{"kind":"cat"}}"#,
    ])
    func validValuesComplete(_ text: String) throws {
        let (accepted, complete) = try feed(text)
        #expect(accepted && complete, "\(text)")
        // The same text is also valid JSON that a decoder reads back.
        #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8))) != nil)
    }

    @Test(arguments: [
        #"{"age":36,"name":"Ada","tags":[]}"#,              // out of the fixed order
        #"{"name":"Ada","age":36}"#,                        // a required property missing
        #"{"name":"Ada","age":3.5,"tags":[]}"#,             // integer with a fraction
        #"{"name":"Ada","age":"36","tags":[]}"#,            // wrong type
        #"{"name":"Ada","age":36,"tags":["c"]}"#,           // not in the enum
        #"{"name":"Ada","age":36,"tags":["a","a","a"]}"#,   // over maxItems
        #"{"name":"Adalovelace","age":36,"tags":[]}"#,      // over maxLength
        #"{"name":"Ada","age":36,"tags":[],"x":1}"#,        // additional property
        #"{"name":"Ada","age":36,"tags":[],"pet":{"kind":"dog"}}"#,
        #"{"name":"Ada","age":36,"tags":[]} "#,             // nothing after the end
        "{\"name\":\"Ada\n\",\"age\":36,\"tags\":[]}",      // a raw control byte in a string
        "{      \"name\":\"A\",\"age\":1,\"tags\":[]}",     // whitespace past the cap
    ])
    func invalidTextIsRefused(_ text: String) throws {
        let (accepted, complete) = try feed(text)
        #expect(!accepted || !complete, "\(text)")
    }

    @Test func prefixesWaitForTheRest() throws {
        var grammar = JSONSchemaGrammar(try JSONSchema(json: Self.person))
        var accepted = true
        for byte in #"{"name":"Ada","age":3"#.utf8 { accepted = accepted && grammar.accept(byte) }
        #expect(accepted)
        #expect(!grammar.isComplete)
        #expect(grammar.accepts(Array("6,".utf8)) && !grammar.accepts(Array("}".utf8)) && !grammar.accepts(Array(".".utf8)))
    }

    @Test func recursiveAndAnyOfSchemas() throws {
        let tree = #"{"type":"object","properties":{"v":{"anyOf":[{"type":"integer"},{"type":"boolean"}]},"#
            + ##""kids":{"type":"array","items":{"$ref":"#"}}},"required":["v","kids"],"additionalProperties":false}"##
        #expect(try feed(#"{"v":1,"kids":[{"v":true,"kids":[]},{"v":false,"kids":[{"v":2,"kids":[]}]}]}"#, tree) == (true, true))
        #expect(try feed(#"{"v":null,"kids":[]}"#, tree).accepted == false)
        // An open object without properties takes any object, as json_object does.
        #expect(try feed(#"{"a":[1,{"b":null}],"c":"d"}"#, #"{"type":"object"}"#) == (true, true))
        #expect(try feed(#"{"x":[1, 2.5, "s", {}]}"#, #"{"type":"object","properties":{"x":{}},"required":["x"]}"#) == (true, true))
        #expect(try feed(#"{"b":true}"#, #"{"type":"object","properties":{"b":{"type":"boolean"}}}"#) == (true, true))
        #expect(try feed(#"{}"#, #"{"type":"object","properties":{"b":{"type":"boolean"}}}"#) == (true, true))
    }

    @Test(arguments: [
        (#"{"type":"object","properties":{"s":{"type":"string","pattern":"^a"}}}"#, "/properties/s"),
        (#"{"type":"object","properties":{"n":{"type":"number","minimum":0}}}"#, "/properties/n"),
        (#"{"oneOf":[{"type":"object"}]}"#, ""),
        (##"{"type":"object","properties":{"p":{"$ref":"#/$defs/missing"}}}"##, "/properties/p"),
        (#"{"type":"object","additionalProperties":{"type":"string"}}"#, ""),
        (#"{"type":"number"}"#, ""),
        (#"{"type":"object","required":["a"],"properties":{}}"#, ""),
        (#"{"type":"strange"}"#, ""),
        (##"{"$defs":{"a":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}"##, "#/$defs/a"),
        (#"{"type":"string","enum":[1]}"#, ""),
        (#"[1]"#, ""),
    ])
    func unsupportedOrMalformedSchemasAreRefused(_ schema: String, _ path: String) {
        #expect(throws: JSONSchemaError.self, "\(schema)") { try JSONSchema(json: schema) }
        do { _ = try JSONSchema(json: schema) } catch {
            #expect(error.path.hasSuffix(path), "\(error)")
            #expect(!error.message.isEmpty)
        }
    }

    /// The default model, greedy under a schema, writes text that parses and has the schema's shape.
    @Test func constrainedGenerationValidates() throws {
        let loaded = try LlamaCppReference.loadModel(TestModel.defaultPath)
        let template = try #require(loaded.tokenizer.chatTemplate)
        let text = template.render([ChatMessage(role: "user", content: "Describe Paris as JSON: city, country, population, capital.")],
                                   addGenerationPrompt: true)
        let prompt = loaded.tokenizer.encode(text, addSpecial: true, parseSpecial: true)
        var options = GenerationOptions(maxTokens: 96, sampling: .greedy)
        options.jsonSchema = try JSONSchema(json: #"""
            {"type":"object","additionalProperties":false,"required":["city","country","population","capital"],
             "properties":{"city":{"type":"string"},"country":{"type":"string","enum":["France","Germany"]},
                           "population":{"type":"integer"},"capital":{"type":"boolean"}}}
            """#)
        let session = try GenerationSession(model: loaded.model, contextLength: 256)
        let result = try TextGenerator(model: loaded.model, tokenizer: loaded.tokenizer).generate(prompt: prompt, in: session, options: options)
        #expect(result.finishReason == .stop, "\(result.text)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.text.utf8)) as? [String: Any], "\(result.text)")
        #expect(Set(object.keys) == ["city", "country", "population", "capital"], "\(result.text)")
        #expect(object["city"] is String)
        #expect(["France", "Germany"].contains(object["country"] as? String))
        #expect(object["population"] is Int)
        #expect(object["capital"] is Bool)
    }
}
