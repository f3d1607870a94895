/// GPT-2 byte-level BPE: a word's bytes start as one symbol each and the adjacent pair with the lowest merge
/// rank is merged until no ranked pair is left. Symbols are token ids, so a merge is a table look-up.
struct BytePairEncoder: Sendable {
    /// (left id << 32 | right id) -> (rank << 32 | merged id).
    private let merges: [UInt64: UInt64]
    /// [256] token id of each raw byte's vocabulary spelling; nil where the vocabulary lacks it.
    private let byteTokens: [Int?]
    /// Raw bytes of merge results that are not vocabulary tokens, at id `vocabularySize + index`.
    /// A word that ends on one falls back to its byte tokens.
    private let unlistedMerges: [[UInt8]]
    private let vocabularySize: Int
    /// Used for a byte that has no token (cannot happen for valid UTF-8 with a complete GPT-2 vocabulary).
    private let unknownID: Int?
    /// Llama 3 looks a whole word up before merging (`ignore_merges` in its tokenizer.json).
    private let wholeWordTokens: [String: Int]?

    init(vocabulary: Vocabulary, tokenIDs: [String: Int], lookUpWholeWords: Bool) throws(TokenizationError) {
        vocabularySize = vocabulary.tokens.count
        unknownID = vocabulary.unknownID
        byteTokens = (0..<256).map { byte in tokenIDs[ByteLevelMapping.text(forByte: UInt8(byte))] }
        wholeWordTokens = lookUpWholeWords ? tokenIDs : nil
        var table: [UInt64: UInt64] = [:]
        table.reserveCapacity(vocabulary.merges.count)
        var unlisted: [[UInt8]] = []
        var unlistedIDs: [String: Int] = [:]
        for (rank, merge) in vocabulary.merges.enumerated() {
            // The separator is searched from the second byte so a left part " " stays possible. The UTF-8
            // view avoids grapheme breaking: this loop runs ~50k times at load.
            guard let space = merge.utf8.dropFirst().firstIndex(of: UInt8(ascii: " ")),
                  merge.utf8.index(after: space) != merge.utf8.endIndex else {
                throw .malformedMerge(index: rank, text: merge)
            }
            let left = String(merge[..<space]), right = String(merge[merge.utf8.index(after: space)...])
            // A merge whose halves are not tokens can never apply: both halves are always existing symbols.
            guard let leftID = tokenIDs[left] ?? unlistedIDs[left],
                  let rightID = tokenIDs[right] ?? unlistedIDs[right] else { continue }
            let merged = left + right
            var mergedID = tokenIDs[merged] ?? unlistedIDs[merged]
            if mergedID == nil {
                mergedID = vocabularySize + unlisted.count
                unlistedIDs[merged] = mergedID
                unlisted.append(ByteLevelMapping.bytes(ofTokenText: merged))
            }
            let key = UInt64(leftID) << 32 | UInt64(rightID)
            if table[key] == nil, let mergedID {
                table[key] = UInt64(rank) << 32 | UInt64(mergedID)
            }
        }
        merges = table
        unlistedMerges = unlisted
    }

    /// Appends the tokens of one pre-tokenized word (raw UTF-8 bytes).
    func encode(word: ArraySlice<UInt8>, into output: inout [Int]) {
        if let wholeWordTokens {
            let spelled = String(String.UnicodeScalarView(word.map { ByteLevelMapping.scalarForByte[Int($0)] }))
            if let id = wholeWordTokens[spelled] {
                output.append(id)
                return
            }
        }
        var symbols = SymbolChain(capacity: word.count)
        for byte in word { symbols.append(byteTokens[Int(byte)] ?? -1) }
        var queue = MinHeap()
        for index in 0..<max(symbols.count - 1, 0) { enqueuePair(left: index, symbols, &queue) }
        while let entry = queue.pop() {
            let left = Int(entry & 0xFFFF_FFFF)
            let rank = entry >> 32
            guard symbols.ids[left] != SymbolChain.removed, symbols.next[left] >= 0 else { continue }
            let right = symbols.next[left]
            // Stale entries (a side merged since) no longer name this rank's pair.
            guard let merge = mergeFor(symbols.ids[left], symbols.ids[right]), merge >> 32 == rank else { continue }
            symbols.merge(left: left, into: Int(merge & 0xFFFF_FFFF))
            if symbols.previous[left] >= 0 { enqueuePair(left: symbols.previous[left], symbols, &queue) }
            enqueuePair(left: left, symbols, &queue)
        }
        var index = symbols.count > 0 ? 0 : -1
        while index >= 0 {
            emit(symbols.ids[index], into: &output)
            index = symbols.next[index]
        }
    }

    private func mergeFor(_ left: Int, _ right: Int) -> UInt64? {
        guard left >= 0, right >= 0 else { return nil }
        return merges[UInt64(left) << 32 | UInt64(right)]
    }

    private func enqueuePair(left: Int, _ symbols: SymbolChain, _ queue: inout MinHeap) {
        let right = symbols.next[left]
        guard right >= 0, let merge = mergeFor(symbols.ids[left], symbols.ids[right]) else { return }
        // Rank in the high half, position in the low half: the lowest rank wins, then the leftmost pair.
        queue.push(merge & 0xFFFF_FFFF_0000_0000 | UInt64(left))
    }

    private func emit(_ id: Int, into output: inout [Int]) {
        if id >= vocabularySize {
            for byte in unlistedMerges[id - vocabularySize] {
                if let token = byteTokens[Int(byte)] ?? unknownID { output.append(token) }
            }
        } else if id >= 0 {
            output.append(id)
        } else if let unknownID {
            output.append(unknownID)
        }
    }
}

/// A word's symbols as a doubly linked list over arrays, so merging is O(1).
struct SymbolChain {
    static let removed = Int.min
    /// [symbols] token id (-1: byte without token, `removed`: merged into its left neighbour).
    var ids: [Int] = []
    /// [symbols] index of the previous live symbol, -1 at the start.
    var previous: [Int] = []
    /// [symbols] index of the next live symbol, -1 at the end.
    var next: [Int] = []

    init(capacity: Int) {
        ids.reserveCapacity(capacity)
        previous.reserveCapacity(capacity)
        next.reserveCapacity(capacity)
    }

    var count: Int { ids.count }

    mutating func append(_ id: Int) {
        if let last = next.indices.last { next[last] = ids.count }
        previous.append(ids.count - 1)
        next.append(-1)
        ids.append(id)
    }

    /// Replaces `left` and its right neighbour by one symbol `id` at `left`.
    mutating func merge(left: Int, into id: Int) {
        let right = next[left]
        ids[left] = id
        ids[right] = Self.removed
        next[left] = next[right]
        if next[right] >= 0 { previous[next[right]] = left }
    }
}

/// Binary min-heap of packed keys.
struct MinHeap {
    private var items: [UInt64] = []

    mutating func push(_ value: UInt64) {
        items.append(value)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child] < items[parent] else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> UInt64? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if items.isEmpty { return top }
        items[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < items.count && items[left] < items[smallest] { smallest = left }
            if right < items.count && items[right] < items[smallest] { smallest = right }
            if smallest == parent { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
