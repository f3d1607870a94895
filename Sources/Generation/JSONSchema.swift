/// A JSON schema compiled for constrained decoding: the subset OpenAI's structured outputs accept
/// (type object/array/string/number/integer/boolean/null and type lists, properties, required,
/// additionalProperties, enum, const, anyOf, items, minItems/maxItems, minLength/maxLength, local
/// `$ref`s into `$defs`/`definitions`, recursion included). Anything else that would constrain
/// the value (`pattern`, `minimum`, `oneOf`, ...) is refused rather than silently ignored, so a
/// generation that follows the schema always validates against it. Annotations (`description`,
/// `title`, `default`, `format`, ...) are ignored.
///
/// Objects are written with their properties in one fixed order: first the `required` ones in the
/// order of the `required` array, then the optional ones by name (optional ones may be left out).
/// Declared order is not available: JSON objects decode into dictionaries.
public struct JSONSchema: Sendable, Hashable {
    enum Node: Sendable, Hashable {
        case any                                   // any JSON value
        case anyObject                             // any JSON object
        case string(minLength: Int, maxLength: Int?)
        case number(integer: Bool)
        case literal(Int)                          // exact bytes: literals[id]
        case object([Property])                    // written in this order
        case array(items: Int, minItems: Int, maxItems: Int?)
        case anyOf([Int])
    }

    struct Property: Sendable, Hashable {
        let key: Int       // literal id of the quoted name
        let value: Int     // node
        let required: Bool
    }

    let nodes: [Node]
    let literals: [[UInt8]]
    let root: Int

    static let maxNodes = 4096

    public init(_ document: JSONValue) throws(JSONSchemaError) {
        var compiler = JSONSchemaCompiler(document: document)
        root = try compiler.reference("#", at: "")
        nodes = compiler.nodes
        literals = compiler.literals
        try checkNoEmptyLoops()
        try checkRoot()
    }

    /// Parses and compiles a schema given as JSON text.
    public init(json text: String) throws(JSONSchemaError) {
        try self.init(try JSONValue(parsing: text))
    }

    /// anyOf alternatives that lead back to themselves without consuming a byte would loop forever.
    private func checkNoEmptyLoops() throws(JSONSchemaError) {
        var state = [UInt8](repeating: 0, count: nodes.count)  // 0 new, 1 on the path, 2 done
        func visit(_ node: Int) -> Bool {
            if state[node] == 1 { return false }
            if state[node] == 2 { return true }
            state[node] = 1
            if case .anyOf(let alternatives) = nodes[node] {
                for alternative in alternatives where !visit(alternative) { return false }
            }
            state[node] = 2
            return true
        }
        for node in nodes.indices where !visit(node) {
            throw JSONSchemaError("$ref/anyOf cycle that never reaches a value", at: "")
        }
    }

    /// The top level must end at a closing byte: a bare number has no end the grammar can see.
    private func checkRoot() throws(JSONSchemaError) {
        var pending = [root], seen: Set<Int> = []
        while let node = pending.popLast() {
            guard seen.insert(node).inserted else { continue }
            switch nodes[node] {
            case .anyOf(let alternatives): pending += alternatives
            case .any, .number: throw JSONSchemaError("the top-level schema must be an object (or array, string, enum)", at: "")
            default: break
            }
        }
    }
}

/// Turns a schema document into `JSONSchema` nodes; `$ref` targets are compiled once each.
struct JSONSchemaCompiler {
    let document: JSONValue
    var nodes: [JSONSchema.Node] = []
    var literals: [[UInt8]] = []
    private var literalIDs: [[UInt8]: Int] = [:]
    private var references: [String: Int] = [:]

    init(document: JSONValue) { self.document = document }

    static let annotations: Set<String> = [
        "title", "description", "default", "examples", "$comment", "$schema", "$id", "format", "deprecated",
        "readOnly", "writeOnly", "$defs", "definitions",
    ]
    static let keywords: Set<String> = [
        "type", "properties", "required", "additionalProperties", "enum", "const", "anyOf", "items", "minItems",
        "maxItems", "minLength", "maxLength", "$ref",
    ]
    static let types: Set<String> = ["object", "array", "string", "number", "integer", "boolean", "null"]

    /// The node of a local reference (`#`, `#/$defs/Name`), compiled on first use.
    mutating func reference(_ pointer: String, at path: String) throws(JSONSchemaError) -> Int {
        if let known = references[pointer] { return known }
        guard pointer.hasPrefix("#") else { throw JSONSchemaError("only local $ref (#/...) is supported", at: path) }
        var target = document
        for raw in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            let key = raw.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let next = target[key] { target = next }
            else if let index = Int(key), let items = target.arrayValue, items.indices.contains(index) { target = items[index] }
            else { throw JSONSchemaError("$ref \(pointer) points at nothing", at: path) }
        }
        let slot = add(.any)  // reserved first, so recursion through the target finds it
        references[pointer] = slot
        let compiled = try compile(target, at: pointer)
        guard compiled != slot else { throw JSONSchemaError("$ref \(pointer) refers to itself", at: pointer) }
        nodes[slot] = .anyOf([compiled])
        return slot
    }

    mutating func compile(_ schema: JSONValue, at path: String) throws(JSONSchemaError) -> Int {
        guard nodes.count < JSONSchema.maxNodes else { throw JSONSchemaError("the schema is too large", at: path) }
        if case .bool(let allowed) = schema {
            guard allowed else { throw JSONSchemaError("the schema false matches nothing", at: path) }
            return add(.any)
        }
        guard let fields = schema.objectValue else { throw JSONSchemaError("a schema must be an object", at: path) }
        for key in fields.keys where !Self.keywords.contains(key) && !Self.annotations.contains(key) {
            throw JSONSchemaError("keyword '\(key)' is not supported", at: path)
        }
        if let ref = fields["$ref"] {
            guard let pointer = ref.stringValue else { throw JSONSchemaError("$ref must be a string", at: path) }
            try expectOnly(["$ref"], in: fields, at: path)
            return try reference(pointer, at: path)
        }
        if let anyOf = fields["anyOf"] {
            guard let alternatives = anyOf.arrayValue, !alternatives.isEmpty else {
                throw JSONSchemaError("anyOf must be a non-empty array of schemas", at: path)
            }
            try expectOnly(["anyOf"], in: fields, at: path)
            var compiled: [Int] = []
            for (index, alternative) in alternatives.enumerated() {
                compiled.append(try compile(alternative, at: "\(path)/anyOf/\(index)"))
            }
            return add(.anyOf(compiled))
        }
        let types = try declaredTypes(fields, at: path)
        if let values = try enumValues(fields, at: path) {
            return try literalsNode(values, types: types, at: path)
        }
        guard let types else {
            let node = fields["properties"] != nil ? try object(fields, at: path) : .any
            return add(node)
        }
        var alternatives: [Int] = []
        for type in types { alternatives.append(try typed(type, fields, at: path)) }
        return alternatives.count == 1 ? alternatives[0] : add(.anyOf(alternatives))
    }

    private mutating func typed(_ type: String, _ fields: [String: JSONValue], at path: String) throws(JSONSchemaError) -> Int {
        switch type {
        case "object":
            let node = try object(fields, at: path)
            return add(node)
        case "array":
            let items: Int
            switch fields["items"] {
            case nil: items = add(.any)
            case .some(let schema):
                guard schema.objectValue != nil || schema == .bool(true) else {
                    throw JSONSchemaError("items must be one schema (tuple items are not supported)", at: path)
                }
                items = try compile(schema, at: "\(path)/items")
            }
            let minItems = try count("minItems", fields, at: path) ?? 0
            let maxItems = try count("maxItems", fields, at: path)
            if let maxItems, maxItems < minItems { throw JSONSchemaError("maxItems is below minItems", at: path) }
            return add(.array(items: items, minItems: minItems, maxItems: maxItems))
        case "string":
            let minLength = try count("minLength", fields, at: path) ?? 0
            let maxLength = try count("maxLength", fields, at: path)
            if let maxLength, maxLength < minLength { throw JSONSchemaError("maxLength is below minLength", at: path) }
            return add(.string(minLength: minLength, maxLength: maxLength))
        case "number", "integer": return add(.number(integer: type == "integer"))
        case "boolean":
            let both = [literal(.bool(true)), literal(.bool(false))]
            return add(.anyOf(both))
        default: return literal(.null)
        }
    }

    private mutating func object(_ fields: [String: JSONValue], at path: String) throws(JSONSchemaError) -> JSONSchema.Node {
        let closed: Bool
        switch fields["additionalProperties"] {
        case nil, .bool(true): closed = false
        case .bool(false): closed = true
        case .some: throw JSONSchemaError("additionalProperties must be true or false (schemas are not supported)", at: path)
        }
        guard let properties = fields["properties"]?.objectValue ?? (fields["properties"] == nil ? [:] : nil) else {
            throw JSONSchemaError("properties must be an object", at: path)
        }
        var required: [String] = []
        for name in fields["required"]?.arrayValue ?? [] {
            guard let name = name.stringValue else { throw JSONSchemaError("required must list property names", at: path) }
            guard properties[name] != nil else { throw JSONSchemaError("required property '\(name)' is not in properties", at: path) }
            if !required.contains(name) { required.append(name) }
        }
        if fields["required"] != nil, fields["required"]?.arrayValue == nil {
            throw JSONSchemaError("required must be an array", at: path)
        }
        // Without declared properties an open object may hold anything.
        if properties.isEmpty && !closed { return .anyObject }
        let order = required + properties.keys.filter { !required.contains($0) }.sorted()
        var compiled: [JSONSchema.Property] = []
        for name in order {
            guard let property = properties[name] else { continue }
            let value = try compile(property, at: "\(path)/properties/\(name)")
            let key = literalID(Array(JSONValue.string(name).jsonText.utf8))
            compiled.append(.init(key: key, value: value, required: required.contains(name)))
        }
        return .object(compiled)
    }

    private func declaredTypes(_ fields: [String: JSONValue], at path: String) throws(JSONSchemaError) -> [String]? {
        let names: [JSONValue]
        switch fields["type"] {
        case nil: return nil
        case .string(let name): names = [.string(name)]
        case .array(let list): names = list
        case .some: throw JSONSchemaError("type must be a string or an array of strings", at: path)
        }
        var types: [String] = []
        for name in names {
            guard let type = name.stringValue, Self.types.contains(type) else {
                throw JSONSchemaError("type \(name.jsonText) is not one of \(Self.types.sorted().joined(separator: ", "))", at: path)
            }
            if !types.contains(type) { types.append(type) }
        }
        guard !types.isEmpty else { throw JSONSchemaError("type must name at least one type", at: path) }
        return types
    }

    private func enumValues(_ fields: [String: JSONValue], at path: String) throws(JSONSchemaError) -> [JSONValue]? {
        if let value = fields["const"] { return [value] }
        guard let list = fields["enum"] else { return nil }
        guard let values = list.arrayValue, !values.isEmpty else { throw JSONSchemaError("enum must be a non-empty array", at: path) }
        return values
    }

    /// `enum`/`const`: the values' exact texts, each checked against `type` when there is one.
    private mutating func literalsNode(_ values: [JSONValue], types: [String]?, at path: String) throws(JSONSchemaError) -> Int {
        var ids: [Int] = []
        for value in values {
            if let types, !types.contains(where: { Self.matches(value, type: $0) }) {
                throw JSONSchemaError("enum/const value \(value.jsonText) does not have the schema's type", at: path)
            }
            let id = literal(value)
            if !ids.contains(id) { ids.append(id) }
        }
        return ids.count == 1 ? ids[0] : add(.anyOf(ids))
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (value, type) {
        case (.null, "null"), (.bool, "boolean"), (.string, "string"), (.array, "array"), (.object, "object"),
             (.integer, "integer"), (.integer, "number"), (.number, "number"):
            return true
        case (.number(let number), "integer"): return number == number.rounded()
        default: return false
        }
    }

    private func count(_ key: String, _ fields: [String: JSONValue], at path: String) throws(JSONSchemaError) -> Int? {
        guard let value = fields[key] else { return nil }
        guard case .integer(let number) = value, number >= 0, number <= Int64(Int32.max) else {
            throw JSONSchemaError("\(key) must be a non-negative integer", at: path)
        }
        return Int(number)
    }

    /// Keywords beside `$ref`/`anyOf` would have to hold too; refused rather than half-enforced.
    private func expectOnly(_ allowed: Set<String>, in fields: [String: JSONValue], at path: String) throws(JSONSchemaError) {
        if let extra = fields.keys.sorted().first(where: { Self.keywords.contains($0) && !allowed.contains($0) }) {
            throw JSONSchemaError("'\(extra)' beside '\(allowed.sorted().joined())' is not supported", at: path)
        }
    }

    /// A node matching exactly `value`'s JSON text.
    private mutating func literal(_ value: JSONValue) -> Int {
        let id = literalID(Array(value.jsonText.utf8))
        return add(.literal(id))
    }

    private mutating func literalID(_ bytes: [UInt8]) -> Int {
        if let known = literalIDs[bytes] { return known }
        literals.append(bytes)
        literalIDs[bytes] = literals.count - 1
        return literals.count - 1
    }

    private mutating func add(_ node: JSONSchema.Node) -> Int {
        nodes.append(node)
        return nodes.count - 1
    }
}
