import Foundation
import Generation

/// One entry of `tools`: `{"type":"function","function":{"name","description","parameters"}}`.
struct ToolDefinition: Decodable, Sendable {
    struct Function: Decodable, Sendable {
        let name: String
        let description: String?
        let parameters: JSONValue?
        let strict: Bool?
    }
    let type: String
    let function: Function?
}

/// `tool_choice`: "none", "auto", "required" or `{"type":"function","function":{"name"}}`.
/// Unknown strings are kept so validation can name the field.
enum ToolChoice: Decodable, Sendable, Equatable {
    case none, auto, required
    case function(String)
    case other(String)

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let text = try? c.decode(String.self) {
            switch text {
            case "none": self = .none
            case "auto": self = .auto
            case "required": self = .required
            default: self = .other(text)
            }
            return
        }
        struct Named: Decodable { struct Function: Decodable { let name: String }; let type: String; let function: Function }
        let named = try c.decode(Named.self)
        self = named.type == "function" ? .function(named.function.name) : .other(named.type)
    }
}

/// A call in an assistant message of the history (`messages[i].tool_calls`).
struct MessageToolCall: Decodable, Sendable {
    struct Function: Decodable, Sendable {
        let name: String
        let arguments: String
    }
    let id: String?
    let type: String?
    let function: Function
}

/// How a request with tools is prompted and constrained. The default model has no tool format of
/// its own, so the tools are described in the system prompt and the answer is constrained to
/// `{"tool_calls":[{"name","arguments"}]}` (or, with "auto", that or `{"response":"..."}`).
struct ToolPlan: Sendable {
    let tools: [ToolDefinition.Function]
    let choice: ToolChoice
    let schema: JSONSchema
    let systemText: String

    static let namePattern = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")

    /// The plan for a request's `tools` and `tool_choice`; nil when the answer is free text (no
    /// tools, or "none").
    init?(tools: [ToolDefinition]?, choice: ToolChoice?, parallel: Bool) throws(APIError) {
        guard let tools, !tools.isEmpty else {
            if let choice, choice != .none {
                throw .badRequest("tool_choice needs tools", param: "tool_choice")
            }
            if tools != nil { throw .badRequest("tools must not be empty", param: "tools") }
            return nil
        }
        var functions: [ToolDefinition.Function] = []
        var parameters: [JSONValue] = []
        for (index, tool) in tools.enumerated() {
            guard tool.type == "function", let function = tool.function else {
                throw .badRequest("tools[\(index)] must be {\"type\":\"function\",\"function\":{...}}", param: "tools")
            }
            guard (1...64).contains(function.name.count), function.name.allSatisfy(Self.namePattern.contains) else {
                throw .badRequest("tools[\(index)].function.name must be 1 to 64 of a-z, A-Z, 0-9, _ and -", param: "tools")
            }
            guard !functions.contains(where: { $0.name == function.name }) else {
                throw .badRequest("tools[\(index)]: the function name '\(function.name)' is used twice", param: "tools")
            }
            // No parameters: a function that takes none, as OpenAI reads it.
            let schema = function.parameters ?? .object(["type": .string("object"), "properties": .object([:]),
                                                         "additionalProperties": .bool(false)])
            do { _ = try JSONSchema(schema) } catch {
                throw .badRequest("tools[\(index)].function.parameters: \(error)", param: "tools")
            }
            functions.append(function)
            parameters.append(schema)
        }
        let offered: [Int]
        switch choice ?? .auto {
        case .none: return nil
        case .auto, .required: offered = Array(functions.indices)
        case .function(let name):
            guard let index = functions.firstIndex(where: { $0.name == name }) else {
                throw .badRequest("tool_choice names the function '\(name)', which is not in tools", param: "tool_choice")
            }
            offered = [index]
        case .other(let text):
            throw .badRequest("tool_choice '\(text)' is not one of none, auto, required or a function", param: "tool_choice")
        }
        self.tools = functions
        self.choice = choice ?? .auto
        // A named function is called once, as OpenAI does.
        var named = false
        if case .function = self.choice { named = true }
        let document = Self.answerSchema(names: functions.map(\.name), parameters: parameters, offered: offered,
                                         parallel: parallel && !named, allowText: self.choice == .auto)
        do { schema = try JSONSchema(document) } catch {
            throw .badRequest("tools: \(error)", param: "tools")
        }
        systemText = Self.systemText(functions, offered: offered, choice: self.choice)
    }

    /// `{"tool_calls":[...]}` with one alternative per offered function, its arguments the
    /// function's parameters (each kept under `$defs` with its local `$ref`s re-rooted there);
    /// with `allowText`, `{"response":"..."}` as the other alternative.
    static func answerSchema(names: [String], parameters: [JSONValue], offered: [Int], parallel: Bool,
                             allowText: Bool) -> JSONValue {
        var defs: [String: JSONValue] = [:]
        let calls = offered.map { index -> JSONValue in
            let name = "tool\(index)"
            defs[name] = rerooted(parameters[index], under: "#/$defs/\(name)")
            return closedObject(["name": .object(["const": .string(names[index])]),
                                 "arguments": .object(["$ref": .string("#/$defs/\(name)")])],
                                required: ["name", "arguments"])
        }
        var list: [String: JSONValue] = ["type": .string("array"), "minItems": .integer(1),
                                         "items": calls.count == 1 ? calls[0] : .object(["anyOf": .array(calls)])]
        if !parallel { list["maxItems"] = .integer(1) }
        let toolCalls = closedObject(["tool_calls": .object(list)], required: ["tool_calls"])
        let text = closedObject(["response": .object(["type": .string("string")])], required: ["response"])
        var root = allowText ? ["anyOf": JSONValue.array([toolCalls, text])] : toolCalls.objectValue ?? [:]
        root["$defs"] = .object(defs)
        return .object(root)
    }

    static func closedObject(_ properties: [String: JSONValue], required: [String]) -> JSONValue {
        .object(["type": .string("object"), "properties": .object(properties),
                 "required": .array(required.map { .string($0) }), "additionalProperties": .bool(false)])
    }

    /// `value` moved to `prefix`: its local references (`#`, `#/$defs/x`) made to point there.
    static func rerooted(_ value: JSONValue, under prefix: String) -> JSONValue {
        switch value {
        case .object(let fields):
            var moved: [String: JSONValue] = [:]
            for (key, field) in fields {
                if key == "$ref", case .string(let pointer) = field, pointer.hasPrefix("#") {
                    moved[key] = .string(prefix + pointer.dropFirst())
                } else {
                    moved[key] = rerooted(field, under: prefix)
                }
            }
            return .object(moved)
        case .array(let values): return .array(values.map { rerooted($0, under: prefix) })
        default: return value
        }
    }

    /// The instructions appended to the system prompt: the offered functions and the reply format.
    static func systemText(_ functions: [ToolDefinition.Function], offered: [Int], choice: ToolChoice) -> String {
        var text = "You can call these functions:\n"
        for index in offered {
            let function = functions[index]
            var entry: [String: JSONValue] = ["name": .string(function.name)]
            if let description = function.description { entry["description"] = .string(description) }
            if let parameters = function.parameters { entry["parameters"] = parameters }
            text += JSONValue.object(entry).jsonText + "\n"
        }
        text += #"To call functions, reply with only {"tool_calls":[{"name":"<function name>","arguments":{<its arguments>}}]}."#
        switch choice {
        case .auto: text += "\n" + #"To answer without calling a function, reply with only {"response":"<your answer>"}."#
        case .function(let name): text += "\nYou must call \(name)."
        default: text += "\nYou must call a function."
        }
        return text
    }
}

/// The model's constrained answer read back: calls, or a text answer.
enum ToolAnswer: Equatable {
    struct Call: Equatable {
        let name: String
        /// The arguments as compact JSON text (what OpenAI's `function.arguments` carries).
        let arguments: String
    }
    case calls([Call])
    case text(String)

    /// Nil when the text is not an answer: calls cut short by max_tokens. A text answer cut short
    /// is read up to where it stops.
    init?(parsing text: String) {
        guard let value = (try? JSONValue(parsing: text)) ?? Self.completedCalls(text) else {
            guard let partial = Self.partialResponse(text) else { return nil }
            self = .text(partial)
            return
        }
        if let response = value["response"]?.stringValue {
            self = .text(response)
            return
        }
        guard let list = value["tool_calls"]?.arrayValue, !list.isEmpty else { return nil }
        var calls: [Call] = []
        for call in list {
            guard let name = call["name"]?.stringValue, let arguments = call["arguments"] else { return nil }
            calls.append(Call(name: name, arguments: arguments.jsonText))
        }
        self = .calls(calls)
    }

    /// The text of `{"response":"...` when the string never closed: the JSON string so far,
    /// less a half-written escape.
    static func partialResponse(_ text: String) -> String? {
        var rest = Substring(text)
        for expected in ["{", #""response""#, ":"] {
            rest = rest.drop { $0.isWhitespace }
            guard rest.hasPrefix(expected) else { return nil }
            rest = rest.dropFirst(expected.count)
        }
        rest = rest.drop { $0.isWhitespace }
        guard rest.first == "\"" else { return nil }
        for cut in 0...min(6, rest.count - 1) {
            if let value = try? JSONValue(parsing: String(rest.dropLast(cut)) + "\""), let string = value.stringValue {
                return string
            }
        }
        return nil
    }

    /// The calls of a `{"tool_calls":[...` cut short: the text up to the last call that closed,
    /// with the list closed after it. The grammar wrote it, so every `}` ends an object; the
    /// first that parses from the end ends the last whole call.
    static func completedCalls(_ text: String) -> JSONValue? {
        var end = text.endIndex
        while let close = text[..<end].lastIndex(of: "}") {
            if let value = try? JSONValue(parsing: String(text[...close]) + "]}"), value["tool_calls"] != nil { return value }
            end = close
        }
        return nil
    }

    static func callID() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return "call_" + String((0..<24).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
    }
}

extension ChatCompletionRequest.Message {
    /// The text the model sees for this message: assistant tool calls in the format the model is
    /// asked to write, tool results named after the call they answer.
    func renderedContent(history: [ChatCompletionRequest.Message]) -> String {
        if let calls = tool_calls, !calls.isEmpty {
            let list = calls.map { call -> JSONValue in
                let arguments = (try? JSONValue(parsing: call.function.arguments)) ?? .string(call.function.arguments)
                return .object(["name": .string(call.function.name), "arguments": arguments])
            }
            let prefix = content?.text.isEmpty == false ? (content?.text ?? "") + "\n" : ""
            return prefix + JSONValue.object(["tool_calls": .array(list)]).jsonText
        }
        let text = content?.text ?? ""
        guard role == "tool", let id = tool_call_id else { return text }
        let name = history.lazy.compactMap { $0.tool_calls?.first { $0.id == id }?.function.name }.first
        return "Result of \(name ?? id): \(text)"
    }
}
