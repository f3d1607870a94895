/// Turns tokens arriving one at a time into text without ever emitting broken UTF-8: a multi-byte character
/// split across byte tokens (an emoji, say) is held back until its last byte arrives.
public struct StreamingDecoder: Sendable {
    private let tokenizer: Tokenizer
    private let decodeSpecial: Bool
    /// Bytes of an incomplete UTF-8 sequence at the end of the text so far (at most 3).
    private var pending: [UInt8] = []
    /// Next text piece starts after the start or a special token (where SentencePiece added a space).
    private var atPieceStart = true

    init(tokenizer: Tokenizer, decodeSpecial: Bool) {
        self.tokenizer = tokenizer
        self.decodeSpecial = decodeSpecial
    }

    /// Adds one token; returns the text that is now complete (possibly "").
    public mutating func append(_ id: Int) -> String {
        let special = tokenizer.isSpecial(id)
        if special { atPieceStart = true }
        guard var bytes = tokenizer.bytes(of: id, decodeSpecial: decodeSpecial) else { return "" }
        if !special {
            if atPieceStart && tokenizer.stripsSpacePrefix && bytes.first == UInt8(ascii: " ") {
                bytes.removeFirst()
            }
            atPieceStart = false
        }
        pending.append(contentsOf: bytes)
        let complete = Self.completePrefixLength(pending)
        let text = String(decoding: pending[..<complete], as: UTF8.self)
        pending.removeFirst(complete)
        return text
    }

    /// Flushes what is held back; an unfinished sequence becomes U+FFFD.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Length of `bytes` without a trailing incomplete (but so far plausible) UTF-8 sequence.
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        // A UTF-8 sequence is at most 4 bytes, so its lead byte is within the last 4.
        let maxSequence = 4
        var index = bytes.count - 1
        while index >= 0 && index >= bytes.count - maxSequence {
            let byte = bytes[index]
            if byte & 0xC0 != 0x80 {
                let expected = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
                return bytes.count - index < expected && byte >= 0xC0 && byte <= 0xF4 ? index : bytes.count
            }
            index -= 1
        }
        return bytes.count
    }
}
