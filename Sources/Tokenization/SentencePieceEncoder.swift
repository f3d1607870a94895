/// SentencePiece-style BPE as llama.cpp runs it on "llama" vocabularies: spaces become "▁", the text starts
/// as one symbol per UTF-8 character, and the adjacent pair whose concatenation is the best-scoring token
/// is merged until none is left. Characters without a token fall back to `<0xAB>` byte tokens.
struct SentencePieceEncoder: Sendable {
    /// U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's visible space.
    static let spaceMarker = "\u{2581}"

    /// UTF-8 spelling -> id; sliced keys let the merge loop look up without allocating.
    private let tokenIDs: [ArraySlice<UInt8>: Int]
    /// [vocabulary] merge priority of each token.
    private let scores: [Float]
    /// [256] id of the `<0xAB>` token for each byte.
    private let byteTokens: [Int?]
    private let unknownID: Int?

    init(vocabulary: Vocabulary) {
        var ids: [ArraySlice<UInt8>: Int] = [:]
        ids.reserveCapacity(vocabulary.tokens.count)
        for (id, token) in vocabulary.tokens.enumerated() { ids[Array(token.utf8)[...]] = id }
        tokenIDs = ids
        scores = vocabulary.scores.isEmpty ? Array(repeating: 0, count: vocabulary.tokens.count) : vocabulary.scores
        byteTokens = (0..<256).map { byte in ids[Array(Self.byteTokenText(UInt8(byte)).utf8)[...]] }
        unknownID = vocabulary.unknownID
    }

    /// The id of a token spelled `text`, if the vocabulary has one.
    func id(of text: String) -> Int? { tokenIDs[Array(text.utf8)[...]] }

    /// The UTF-8 bytes of `token` with each "▁" (E2 96 81) replaced by a space, byte by byte (a
    /// String search over 262k tokens costs a large share of a Gemma load).
    static func replacingSpaceMarkers(in token: String) -> [UInt8] {
        var token = token
        return token.withUTF8 { bytes in
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            var i = 0
            while i < bytes.count {
                if bytes[i] == 0xE2, i + 2 < bytes.count, bytes[i + 1] == 0x96, bytes[i + 2] == 0x81 {
                    out.append(UInt8(ascii: " "))
                    i += 3
                } else {
                    out.append(bytes[i])
                    i += 1
                }
            }
            return out
        }
    }

    /// "<0x0A>" for byte 10: the spelling SentencePiece gives its byte-fallback tokens.
    static func byteTokenText(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "<0x\(digits[Int(byte >> 4)])\(digits[Int(byte & 0x0F)])>"
    }

    /// The byte a `<0xAB>` token stands for, or nil for other text.
    static func byteValue(ofTokenText text: String) -> UInt8? {
        let utf8 = Array(text.utf8)
        guard utf8.count == 6, utf8.starts(with: Array("<0x".utf8)), utf8[5] == UInt8(ascii: ">") else { return nil }
        return UInt8(String(decoding: utf8[3..<5], as: UTF8.self), radix: 16)
    }

    /// Appends the tokens of `text`, whose spaces are already replaced by "▁".
    func encode(_ text: String, into output: inout [Int]) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return }
        // [symbols] byte start and length of each symbol; length 0 = merged away.
        var starts: [Int] = []
        var lengths: [Int] = []
        var offset = 0
        for scalar in text.unicodeScalars {
            starts.append(offset)
            lengths.append(UTF8.width(scalar))
            offset += UTF8.width(scalar)
        }
        var chain = SymbolChain(capacity: starts.count)
        for index in starts.indices { chain.append(index) }
        var queue = MinHeap()

        func priority(left: Int) -> UInt64? {
            let right = chain.next[left]
            guard right >= 0 else { return nil }
            let span = bytes[starts[left]..<starts[right] + lengths[right]]
            guard let id = tokenIDs[span] else { return nil }
            // Highest score first, then leftmost: invert the order-preserving bits of the score.
            return UInt64(~Self.orderedBits(scores[id])) << 32 | UInt64(left)
        }
        for index in 0..<max(starts.count - 1, 0) {
            if let key = priority(left: index) { queue.push(key) }
        }
        while let entry = queue.pop() {
            let left = Int(entry & 0xFFFF_FFFF)
            guard chain.ids[left] != SymbolChain.removed, let current = priority(left: left), current == entry else {
                continue
            }
            let right = chain.next[left]
            lengths[left] += lengths[right]
            chain.merge(left: left, into: left)
            if chain.previous[left] >= 0, let key = priority(left: chain.previous[left]) { queue.push(key) }
            if let key = priority(left: left) { queue.push(key) }
        }
        var index = 0
        while index >= 0 {
            let span = bytes[starts[index]..<starts[index] + lengths[index]]
            if let id = tokenIDs[span] {
                output.append(id)
            } else {
                for byte in span {
                    if let id = byteTokens[Int(byte)] ?? unknownID { output.append(id) }
                }
            }
            index = chain.next[index]
        }
    }

    /// Float bits mapped to unsigned integers in the same order as the floats.
    private static func orderedBits(_ value: Float) -> UInt32 {
        let bits = value.bitPattern
        return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
    }
}
