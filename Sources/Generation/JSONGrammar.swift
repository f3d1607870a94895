/// A byte-level recogniser of one JSON object (RFC 8259 values inside), fed as it is generated:
/// `accept` refuses any byte after which the text could no longer become valid JSON. It lets
/// the sampler keep only tokens that continue a valid prefix (`response_format: json_object`).
/// Runs of whitespace are capped, so a model cannot pad forever.
/// `JSONGrammar.anyValue()` takes any JSON value instead (the schema grammar's free values).
public struct JSONGrammar: ByteGrammar, Hashable {
    enum Mode: Hashable, Sendable {
        case start              // before the top-level object
        case value              // a value is required
        case valueOrClose       // after '[': a value or ']'
        case keyOrClose         // after '{': a key or '}'
        case key                // after ',' in an object: a key
        case colon
        case afterValue         // ',' or the closing bracket (or the end at depth 0)
        case string(key: Bool), escape(key: Bool), unicode(key: Bool, left: Int)
        case number(NumberPart)
        case literal(ArraySlice<UInt8>)
        case done
    }

    enum NumberPart: Hashable, Sendable { case sign, zero, integer, point, fraction, exponent, exponentSign, exponentDigits }

    static let maxDepth = 32
    static let maxWhitespaceRun = 2

    private(set) var mode = Mode.start
    private var stack: [UInt8] = []      // "{" or "[" per open container
    private var whitespace = 0

    public init() {}

    /// A recogniser of one JSON value of any type.
    public static func anyValue() -> JSONGrammar {
        var grammar = JSONGrammar()
        grammar.mode = .value
        return grammar
    }

    /// True once the top-level object is closed: only the end of generation may follow.
    public var isComplete: Bool { mode == .done }

    /// Whether the top-level value may end here: complete, or a top-level number that could
    /// also go on (only the next byte tells).
    var canEnd: Bool {
        if case .number(let part) = mode, stack.isEmpty { return part.canEnd }
        return mode == .done
    }

    /// After a value: a separator or closing bracket, or nothing more at the top level.
    private var afterValue: Mode { stack.isEmpty ? .done : .afterValue }

    /// Inside a string with no escape pending: any plain text may follow.
    var stringRoom: Int? {
        if case .string = mode { return Int.max }
        return nil
    }

    /// Consumes one byte; false (and no change worth keeping) when it cannot follow.
    public mutating func accept(_ byte: UInt8) -> Bool {
        if Self.isWhitespace(byte), case .number(let part) = mode, part.canEnd { mode = afterValue }
        if Self.isWhitespace(byte), mode.allowsWhitespace {
            whitespace += 1
            return whitespace <= Self.maxWhitespaceRun
        }
        whitespace = 0
        switch mode {
        case .start:
            return byte == UInt8(ascii: "{") && open(byte, then: .keyOrClose)
        case .value, .valueOrClose:
            if mode == .valueOrClose, byte == UInt8(ascii: "]") { return close(byte) }
            return startValue(byte)
        case .keyOrClose, .key:
            if mode == .keyOrClose, byte == UInt8(ascii: "}") { return close(byte) }
            guard byte == UInt8(ascii: "\"") else { return false }
            mode = .string(key: true)
            return true
        case .colon:
            guard byte == UInt8(ascii: ":") else { return false }
            mode = .value
            return true
        case .afterValue:
            if byte == UInt8(ascii: ",") {
                mode = stack.last == UInt8(ascii: "{") ? .key : .value
                return true
            }
            return close(byte)
        case .string(let key):
            switch byte {
            case UInt8(ascii: "\""): mode = key ? .colon : afterValue
            case UInt8(ascii: "\\"): mode = .escape(key: key)
            case 0..<0x20: return false
            default: break
            }
            return true
        case .escape(let key):
            if byte == UInt8(ascii: "u") { mode = .unicode(key: key, left: 4); return true }
            guard Array("\"\\/bfnrt".utf8).contains(byte) else { return false }
            mode = .string(key: key)
            return true
        case .unicode(let key, let left):
            guard Self.isHex(byte) else { return false }
            mode = left == 1 ? .string(key: key) : .unicode(key: key, left: left - 1)
            return true
        case .number(let part):
            if let next = Self.nextNumberPart(part, byte) {
                mode = .number(next)
                return true
            }
            guard part.canEnd else { return false }
            mode = afterValue
            return accept(byte)
        case .literal(let rest):
            guard rest.first == byte else { return false }
            let remaining = rest.dropFirst()
            mode = remaining.isEmpty ? afterValue : .literal(remaining)
            return true
        case .done:
            return false
        }
    }

    private mutating func startValue(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "{"): return open(byte, then: .keyOrClose)
        case UInt8(ascii: "["): return open(byte, then: .valueOrClose)
        case UInt8(ascii: "\""): mode = .string(key: false)
        case UInt8(ascii: "-"): mode = .number(.sign)
        case UInt8(ascii: "0"): mode = .number(.zero)
        case UInt8(ascii: "1")...UInt8(ascii: "9"): mode = .number(.integer)
        case UInt8(ascii: "t"): mode = .literal(Array("rue".utf8)[...])
        case UInt8(ascii: "f"): mode = .literal(Array("alse".utf8)[...])
        case UInt8(ascii: "n"): mode = .literal(Array("ull".utf8)[...])
        default: return false
        }
        return true
    }

    private mutating func open(_ bracket: UInt8, then next: Mode) -> Bool {
        guard stack.count < Self.maxDepth else { return false }
        stack.append(bracket)
        mode = next
        return true
    }

    private mutating func close(_ byte: UInt8) -> Bool {
        guard let top = stack.last,
              (top == UInt8(ascii: "{") && byte == UInt8(ascii: "}")) || (top == UInt8(ascii: "[") && byte == UInt8(ascii: "]"))
        else { return false }
        stack.removeLast()
        mode = stack.isEmpty ? .done : .afterValue
        return true
    }

    static func nextNumberPart(_ part: NumberPart, _ byte: UInt8) -> NumberPart? {
        let digit = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        switch part {
        case .sign: return byte == UInt8(ascii: "0") ? .zero : (digit ? .integer : nil)
        case .zero: return byte == UInt8(ascii: ".") ? .point : (byte | 0x20 == UInt8(ascii: "e") ? .exponent : nil)
        case .integer:
            if digit { return .integer }
            return byte == UInt8(ascii: ".") ? .point : (byte | 0x20 == UInt8(ascii: "e") ? .exponent : nil)
        case .point: return digit ? .fraction : nil
        case .fraction: return digit ? .fraction : (byte | 0x20 == UInt8(ascii: "e") ? .exponent : nil)
        case .exponent: return byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") ? .exponentSign : (digit ? .exponentDigits : nil)
        case .exponentSign, .exponentDigits: return digit ? .exponentDigits : nil
        }
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }

    static func isHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
    }
}

extension JSONGrammar.Mode {
    /// Whitespace may separate tokens here (not inside strings, numbers or literals).
    var allowsWhitespace: Bool {
        switch self {
        case .start, .value, .valueOrClose, .keyOrClose, .key, .colon, .afterValue: return true
        default: return false
        }
    }
}

extension JSONGrammar.NumberPart {
    var canEnd: Bool {
        switch self {
        case .zero, .integer, .fraction, .exponentDigits: return true
        default: return false
        }
    }
}

/// A recogniser of generated text, fed one byte at a time.
public protocol ByteGrammar: Sendable {
    /// Consumes one byte; false (and no change worth keeping) when it cannot follow.
    mutating func accept(_ byte: UInt8) -> Bool
    /// True once the value is closed: only the end of generation may follow.
    var isComplete: Bool { get }
}

extension ByteGrammar {
    /// Whether all of `bytes` may follow the text so far (the grammar itself is not changed).
    public func accepts(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return false }
        var copy = self
        for byte in bytes where !copy.accept(byte) { return false }
        return true
    }
}
