/// A byte-level recogniser of one JSON value valid against a `JSONSchema`, fed as it is generated:
/// `accept` refuses any byte after which the text could no longer become such a value, so the
/// sampler keeps only tokens that continue a valid prefix (`response_format: json_schema`, tools).
///
/// Each candidate parse is a stack of frames (the value being written innermost last). `anyOf`,
/// and the choice of which optional property comes next, fork the parse; forks that cannot take a
/// byte die, so the set stays small for schemas whose alternatives differ early. Whitespace runs
/// are capped as in `JSONGrammar`.
public struct JSONSchemaGrammar: ByteGrammar {
    enum ObjectPhase: Hashable, Sendable { case open, needKey, afterMember }
    enum Escape: Hashable, Sendable { case none, backslash, unicode(left: Int) }

    enum Frame: Hashable, Sendable {
        case value(Int)                                    // a value of this node is next
        case object(Int, next: Int, phase: ObjectPhase)    // next: first property not yet passed
        case colon
        case array(Int, count: Int, afterItem: Bool)
        case string(Int, length: Int, escape: Escape)      // length in code points so far
        case number(integer: Bool, part: JSONGrammar.NumberPart, length: Int)
        case literal(Int, offset: Int)
        case free(JSONGrammar)                             // any value (or any object)
    }

    struct Parse: Hashable, Sendable {
        var frames: [Frame]
        var whitespace = 0
    }

    static let maxFrames = 96
    static let maxParses = 64
    static let maxNumberLength = 32

    let schema: JSONSchema
    private var parses: [Parse]

    public init(_ schema: JSONSchema) {
        self.schema = schema
        parses = [Parse(frames: [.value(schema.root)])]
    }

    /// True once the top-level value is closed: only the end of generation may follow.
    public var isComplete: Bool { parses.contains { $0.frames.isEmpty } }

    /// How many more code points the string being written may take, when the only parse is inside
    /// a string with no escape pending (nil otherwise): then any run of plain text bytes that fits
    /// is accepted without replaying it, which is most tokens.
    var stringRoom: Int? {
        guard parses.count == 1, case .string(let node, let length, .none)? = parses[0].frames.last,
              case .string(_, let maxLength) = schema.nodes[node] else { return nil }
        return maxLength.map { $0 - length } ?? Int.max
    }

    /// Consumes one byte; false (and nothing worth keeping) when no parse can take it.
    public mutating func accept(_ byte: UInt8) -> Bool {
        let schema = self.schema
        var forks: [Parse] = []
        var index = 0
        while index < parses.count {
            if parses[index].step(byte, schema, forks: &forks) { index += 1 } else { parses.remove(at: index) }
        }
        if !forks.isEmpty || parses.count > 1 {
            var seen: Set<Parse> = []
            parses = (parses + forks).filter { seen.insert($0).inserted }
            // Bounded work per byte; schemas whose alternatives share long prefixes may lose some.
            if parses.count > Self.maxParses { parses.removeLast(parses.count - Self.maxParses) }
        }
        return !parses.isEmpty
    }
}

extension JSONSchemaGrammar.Parse {
    typealias Frame = JSONSchemaGrammar.Frame

    /// Advances this parse by `byte`; parses forked on the way (anyOf, optional properties) that
    /// also took the byte go to `forks`.
    mutating func step(_ byte: UInt8, _ schema: JSONSchema, forks: inout [Self]) -> Bool {
        guard let top = frames.last else { return false }
        let space = JSONGrammar.isWhitespace(byte)
        switch top {
        case .value(let node):
            if space { return skipSpace() }
            whitespace = 0
            return start(node, byte, schema, forks: &forks)
        case .object(let node, let next, let phase):
            if space { return skipSpace() }
            whitespace = 0
            return objectByte(byte, node: node, next: next, phase: phase, schema, forks: &forks)
        case .colon:
            if space { return skipSpace() }
            whitespace = 0
            guard byte == UInt8(ascii: ":") else { return false }
            frames.removeLast()
            return true
        case .array(let node, let count, let afterItem):
            if space { return skipSpace() }
            whitespace = 0
            return arrayByte(byte, node: node, count: count, afterItem: afterItem, schema, forks: &forks)
        case .string(let node, let length, let escape):
            whitespace = 0
            return stringByte(byte, node: node, length: length, escape: escape, schema)
        case .number(let integer, let part, let length):
            if let next = JSONGrammar.nextNumberPart(part, byte), length < JSONSchemaGrammar.maxNumberLength,
               !integer || (next != .point && next != .exponent) {
                whitespace = 0
                frames[frames.count - 1] = .number(integer: integer, part: next, length: length + 1)
                return true
            }
            guard part.canEnd else { return false }
            frames.removeLast()  // the number ended just before this byte: its container takes it
            return step(byte, schema, forks: &forks)
        case .literal(let id, let offset):
            let bytes = schema.literals[id]
            guard bytes[offset] == byte else { return false }
            whitespace = 0
            if offset + 1 == bytes.count { frames.removeLast() } else { frames[frames.count - 1] = .literal(id, offset: offset + 1) }
            return true
        case .free(let grammar):
            var next = grammar
            if next.accept(byte) {
                whitespace = 0
                // A closed value ends here, so the top level can be complete without another byte.
                if next.isComplete { frames.removeLast() } else { frames[frames.count - 1] = .free(next) }
                return true
            }
            guard grammar.canEnd else { return false }
            frames.removeLast()
            return step(byte, schema, forks: &forks)
        }
    }

    private mutating func skipSpace() -> Bool {
        whitespace += 1
        return whitespace <= JSONGrammar.maxWhitespaceRun
    }

    /// The first byte of a value of `node`.
    private mutating func start(_ node: Int, _ byte: UInt8, _ schema: JSONSchema, forks: inout [Self]) -> Bool {
        let last = frames.count - 1
        switch schema.nodes[node] {
        case .anyOf(let alternatives):
            for alternative in alternatives.dropFirst() {
                var fork = self
                fork.frames[last] = .value(alternative)
                if fork.step(byte, schema, forks: &forks) { forks.append(fork) }
            }
            guard let first = alternatives.first else { return false }
            frames[last] = .value(first)
            return step(byte, schema, forks: &forks)
        case .any, .anyObject:
            frames[last] = .free(schema.nodes[node] == .any ? JSONGrammar.anyValue() : JSONGrammar())
            return step(byte, schema, forks: &forks)
        case .string:
            guard byte == UInt8(ascii: "\"") else { return false }
            frames[last] = .string(node, length: 0, escape: .none)
        case .number(let integer):
            guard let part = JSONSchemaGrammar.firstNumberPart(byte) else { return false }
            frames[last] = .number(integer: integer, part: part, length: 1)
        case .literal(let id):
            frames[last] = .literal(id, offset: 0)
            return step(byte, schema, forks: &forks)
        case .object:
            guard byte == UInt8(ascii: "{"), frames.count < JSONSchemaGrammar.maxFrames else { return false }
            frames[last] = .object(node, next: 0, phase: .open)
        case .array:
            guard byte == UInt8(ascii: "["), frames.count < JSONSchemaGrammar.maxFrames else { return false }
            frames[last] = .array(node, count: 0, afterItem: false)
        }
        return true
    }

    private mutating func objectByte(_ byte: UInt8, node: Int, next: Int, phase: JSONSchemaGrammar.ObjectPhase,
                                     _ schema: JSONSchema, forks: inout [Self]) -> Bool {
        guard case .object(let properties) = schema.nodes[node] else { return false }
        let remaining = properties[next...]
        let last = frames.count - 1
        switch byte {
        case UInt8(ascii: "}"):
            guard phase != .needKey, !remaining.contains(where: \.required) else { return false }
            frames.removeLast()
            return true
        case UInt8(ascii: ","):
            guard phase == .afterMember, !remaining.isEmpty else { return false }
            frames[last] = .object(node, next: next, phase: .needKey)
            return true
        case UInt8(ascii: "\""):
            guard phase != .afterMember, frames.count + 3 <= JSONSchemaGrammar.maxFrames else { return false }
            // The next property written is any of the remaining ones up to the first required one.
            let end = remaining.firstIndex(where: \.required).map { $0 + 1 } ?? properties.count
            var candidates: [Self] = []
            for index in next..<end {
                var fork = self
                fork.frames[last] = .object(node, next: index + 1, phase: .afterMember)
                fork.frames += [.value(properties[index].value), .colon, .literal(properties[index].key, offset: 1)]
                candidates.append(fork)
            }
            guard let first = candidates.first else { return false }
            forks += candidates.dropFirst()
            self = first
            return true
        default:
            return false
        }
    }

    private mutating func arrayByte(_ byte: UInt8, node: Int, count: Int, afterItem: Bool, _ schema: JSONSchema,
                                    forks: inout [Self]) -> Bool {
        guard case .array(let items, let minItems, let maxItems) = schema.nodes[node] else { return false }
        let last = frames.count - 1
        if byte == UInt8(ascii: "]") {
            guard count >= minItems else { return false }
            frames.removeLast()
            return true
        }
        let room = maxItems.map { count < $0 } ?? true
        if afterItem {
            guard byte == UInt8(ascii: ","), room else { return false }
            frames[last] = .array(node, count: count + 1, afterItem: true)
            frames.append(.value(items))
            return true
        }
        guard room else { return false }
        frames[last] = .array(node, count: count + 1, afterItem: true)
        frames.append(.value(items))
        return step(byte, schema, forks: &forks)
    }

    private mutating func stringByte(_ byte: UInt8, node: Int, length: Int, escape: JSONSchemaGrammar.Escape,
                                     _ schema: JSONSchema) -> Bool {
        guard case .string(let minLength, let maxLength) = schema.nodes[node] else { return false }
        let last = frames.count - 1
        let room = maxLength.map { length < $0 } ?? true
        switch escape {
        case .backslash:
            if byte == UInt8(ascii: "u") {
                frames[last] = .string(node, length: length, escape: .unicode(left: 4))
                return true
            }
            guard Array("\"\\/bfnrt".utf8).contains(byte) else { return false }
            frames[last] = .string(node, length: length, escape: .none)
            return true
        case .unicode(let left):
            guard JSONGrammar.isHex(byte) else { return false }
            frames[last] = .string(node, length: length, escape: left == 1 ? .none : .unicode(left: left - 1))
            return true
        case .none:
            switch byte {
            case UInt8(ascii: "\""):
                guard length >= minLength else { return false }
                frames.removeLast()
            case UInt8(ascii: "\\"):
                guard room else { return false }
                frames[last] = .string(node, length: length + 1, escape: .backslash)
            case 0..<0x20: return false
            case 0x80..<0xC0: break  // a UTF-8 continuation byte: same code point
            default:
                guard room else { return false }
                frames[last] = .string(node, length: length + 1, escape: .none)
            }
            return true
        }
    }
}

extension JSONSchemaGrammar {
    static func firstNumberPart(_ byte: UInt8) -> JSONGrammar.NumberPart? {
        switch byte {
        case UInt8(ascii: "-"): return .sign
        case UInt8(ascii: "0"): return .zero
        case UInt8(ascii: "1")...UInt8(ascii: "9"): return .integer
        default: return nil
        }
    }
}
