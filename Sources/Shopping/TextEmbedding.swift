/// Turns text into a unit-length vector (cosine similarity is the dot product). The CLI and the
/// server plug in all-MiniLM-L6-v2 (Generation's TextEmbedder); Shopping itself stays free of the engine.
public protocol TextEmbedding: Sendable {
    /// Names the vectors in the embedding cache, so a change of model never mixes them.
    var modelName: String { get }
    func embed(_ text: String) throws -> [Float]
}

/// A lexical embedder: words and word pairs hashed into `dimension` signed buckets (the
/// "hashing trick", Weinberger et al. 2009). Deterministic and instant; used where the engine's
/// model is absent and by tests that are about something other than semantic similarity.
public struct HashingTextEmbedder: TextEmbedding {
    public let dimension: Int
    public var modelName: String { "hashing-\(dimension)" }

    public init(dimension: Int = 256) { self.dimension = max(8, dimension) }

    public func embed(_ text: String) -> [Float] {
        let words = text.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)
        var vector = [Float](repeating: 0, count: dimension)
        func add(_ token: String, _ weight: Float) {
            let hash = Self.fnv1a(token)
            vector[Int(hash % UInt64(dimension))] += (hash >> 63) == 0 ? weight : -weight
        }
        for (index, word) in words.enumerated() {
            add(word, 1)
            if index > 0 { add(words[index - 1] + " " + word, 0.5) }
        }
        return VectorMath.normalized(vector)
    }

    /// FNV-1a 64-bit: stable across runs and platforms, unlike Swift's seeded `Hasher`.
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash
    }
}

public enum VectorMath {
    public static func normalized(_ vector: [Float]) -> [Float] {
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }

    /// a[aStart..<aStart+count] · b[bStart..<bStart+count]. Eight lanes at a time: a plain
    /// float sum is never vectorised by the compiler (it may not reorder the additions).
    @inline(__always)
    static func dot(_ a: UnsafeBufferPointer<Float>, _ aStart: Int, _ b: UnsafeBufferPointer<Float>, _ bStart: Int, _ count: Int) -> Float {
        guard let pa = a.baseAddress, let pb = b.baseAddress else { return 0 }
        let ra = UnsafeRawPointer(pa + aStart), rb = UnsafeRawPointer(pb + bStart)
        var lanes = SIMD8<Float>()
        var k = 0
        while k + 8 <= count {
            let stride = k * MemoryLayout<Float>.stride
            lanes += ra.loadUnaligned(fromByteOffset: stride, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: stride, as: SIMD8<Float>.self)
            k += 8
        }
        var sum = lanes.sum()
        while k < count {
            sum += a[aStart + k] * b[bStart + k]
            k += 1
        }
        return sum
    }
}
