/// Rows that enter a prompt as embeddings rather than token ids: an image's embeddings from a
/// vision encoder and projector, already in the language model's width.
///
/// In a prompt (`[Int]`), row r of a chunk stands as the negative placeholder id
/// `-1 - (identity << rowBits | r)`. The identity is a content hash of the rows chosen by the
/// caller (the server uses SHA-256 of the image's embedding bytes), so the prefix cache, which
/// compares ids, treats an image like text: the same image at the same place shares the cached
/// KV, a different image differs from its first row.
public final class EmbeddingChunk: Sendable {
    /// Low bits of the placeholder id that hold the row; the rest (above them) hold the identity.
    public static let rowBits = 16
    /// Bits of the identity kept in the ids: 63 bits of a positive Int minus `rowBits` minus one,
    /// so -1 - id never overflows. Two different images collide with probability 2^-46.
    public static let identityBits = 63 - rowBits - 1
    public static let maxRows = 1 << rowBits

    /// The caller's content hash, truncated to `identityBits`.
    public let identity: Int
    public let rows: Int
    public let dimension: Int
    let values: [Float]   // [rows, dimension]

    /// - Parameters:
    ///   - identity: a content hash of the rows (any 64 bits; the low `identityBits` are kept).
    ///   - values: [rows, dimension], row after row.
    public init(identity: UInt64, values: [Float], rows: Int, dimension: Int) throws(ModelError) {
        guard rows >= 1, rows <= Self.maxRows, dimension >= 1, values.count == rows * dimension else {
            throw .invalidHyperparameter(key: "embedding chunk", value: "\(rows)x\(dimension) with \(values.count) values",
                                         reason: "needs 1...\(Self.maxRows) rows of the given width")
        }
        self.identity = Int(identity & (UInt64(1) << UInt64(Self.identityBits) - 1))
        self.values = values
        self.rows = rows
        self.dimension = dimension
    }

    /// The ids that stand for this chunk's rows in a prompt, in order.
    public var placeholderIDs: [Int] { (0..<rows).map { -1 - (identity << Self.rowBits | $0) } }

    /// (identity, row) of a placeholder id; nil for a token id (>= 0).
    static func decode(_ id: Int) -> (identity: Int, row: Int)? {
        guard id < 0 else { return nil }
        let bits = -1 - id
        return (bits >> rowBits, bits & (maxRows - 1))
    }
}

/// The embedding chunks a prompt's placeholder ids refer to, by identity. Empty for a text prompt
/// (no allocation); placeholders of rows already in the KV cache need no chunk.
public struct PromptEmbeddings: Sendable {
    private var chunks: [Int: EmbeddingChunk] = [:]

    public init(_ chunks: [EmbeddingChunk] = []) {
        for chunk in chunks { add(chunk) }
    }

    public var isEmpty: Bool { chunks.isEmpty }

    public mutating func add(_ chunk: EmbeddingChunk) { chunks[chunk.identity] = chunk }

    /// These chunks and `other`'s (a batch step serving several prompts).
    public mutating func add(_ other: PromptEmbeddings) {
        chunks.merge(other.chunks) { mine, _ in mine }
    }

    /// Checks that every placeholder of `tokens` names a row of a chunk of this width.
    func validate(_ tokens: some Sequence<Int>, width: Int) throws(ModelError) {
        for id in tokens where id < 0 {
            guard let (identity, row) = EmbeddingChunk.decode(id), let chunk = chunks[identity], row < chunk.rows else {
                throw .unknownEmbeddingRow(id)
            }
            guard chunk.dimension == width else {
                throw .embeddingWidth(expected: width, found: chunk.dimension)
            }
        }
    }

    /// Copies the row placeholder `id` stands for into `target` ([width]); false when it names none
    /// (`validate` rules that out before a forward pass).
    func copyRow(_ id: Int, into target: UnsafeMutablePointer<Float>) -> Bool {
        guard let (identity, row) = EmbeddingChunk.decode(id), let chunk = chunks[identity], row < chunk.rows else { return false }
        chunk.values.withUnsafeBufferPointer { values in
            guard let base = values.baseAddress else { return }
            target.update(from: base + row * chunk.dimension, count: chunk.dimension)
        }
        return true
    }
}
