import Foundation
import Generation
import Testing
import TestSupport
import Tokenization

@Suite struct JSONGrammarTests {
    func feed(_ text: String) -> (accepted: Bool, grammar: JSONGrammar) {
        var grammar = JSONGrammar()
        for byte in text.utf8 where !grammar.accept(byte) { return (false, grammar) }
        return (true, grammar)
    }

    @Test(arguments: [
        #"{}"#, #"{"a":1}"#, #"{"a": [1, -2.5e+3, true, false, null, "x\"\u00e9"], "b": {"c": {}}}"#,
        #"{"k":"héllo 🙂"}"#, #"{ "a" : 0.5 , "b" : [ ] }"#,
    ])
    func validObjectsComplete(_ text: String) {
        let (accepted, grammar) = feed(text)
        #expect(accepted && grammar.isComplete, "\(text)")
        #expect(!JSONGrammar().accepts(Array("}".utf8)))
    }

    @Test(arguments: [
        #"[1]"#, #"{"a"}"#, #"{"a":01}"#, #"{"a":1,}"#, #"{a:1}"#, #"{"a":tru}x"#, #"{"a":"\x"}"#, "{\"a\":\"\u{1}\"}",
        #"{"a":1 2}"#, #"{}{"#, "{     }",
    ])
    func invalidTextIsRefusedAtTheFirstBadByte(_ text: String) {
        #expect(!feed(text).accepted || !feed(text).grammar.isComplete, "\(text)")
    }

    @Test func prefixesAreAcceptedButNotComplete() {
        let (accepted, grammar) = feed(#"{"name": "Ada", "age": 3"#)
        #expect(accepted && !grammar.isComplete)
        #expect(grammar.accepts(Array("6}".utf8)) && grammar.accepts(Array(", ".utf8)) && !grammar.accepts(Array("]".utf8)))
    }

    /// The default model, asked greedily in JSON mode, returns text that parses as an object.
    @Test func constrainedGenerationParses() throws {
        let loaded = try LlamaCppReference.loadModel(TestModel.defaultPath)
        let template = try #require(loaded.tokenizer.chatTemplate)
        let text = template.render([ChatMessage(role: "user", content: "Reply with a JSON object with the keys city and country for Paris.")],
                                   addGenerationPrompt: true)
        let prompt = loaded.tokenizer.encode(text, addSpecial: true, parseSpecial: true)
        var options = GenerationOptions(maxTokens: 96, sampling: .greedy)
        options.jsonObject = true
        let session = try GenerationSession(model: loaded.model, contextLength: 256)
        let result = try TextGenerator(model: loaded.model, tokenizer: loaded.tokenizer).generate(prompt: prompt, in: session, options: options)
        #expect(result.finishReason == .stop, "\(result.text)")
        let object = try JSONSerialization.jsonObject(with: Data(result.text.utf8))
        let fields = try #require(object as? [String: Any], "\(result.text)")
        #expect(fields["city"] as? String == "Paris")
    }
}
