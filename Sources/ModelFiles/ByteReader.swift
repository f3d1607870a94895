/// A bounds-checked little-endian cursor over a byte buffer. Every read checks what is left, so a
/// corrupt or hostile file ends in a typed error, never an out-of-bounds access.
struct ByteReader {
    let base: UnsafeRawPointer
    let count: Int
    private(set) var offset: Int

    init(base: UnsafeRawPointer, count: Int, offset: Int = 0) {
        self.base = base
        self.count = count
        self.offset = offset
    }

    var remaining: Int { count - offset }

    mutating func require(_ bytes: Int, _ what: @autoclosure () -> String) throws(ModelFileError) {
        guard bytes >= 0, bytes <= remaining else {
            throw .truncated(what: what(), offset: offset, needed: bytes, available: remaining)
        }
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws(ModelFileError) -> T {
        try require(MemoryLayout<T>.size, what())
        let value = base.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
        return T(littleEndian: value)
    }

    mutating func readFloat(_ what: @autoclosure () -> String) throws(ModelFileError) -> Float {
        Float(bitPattern: try read(UInt32.self, what()))
    }

    mutating func readDouble(_ what: @autoclosure () -> String) throws(ModelFileError) -> Double {
        Double(bitPattern: try read(UInt64.self, what()))
    }

    /// A u64 count of items at least `elementSize` bytes each, checked against the bytes left after it
    /// (and against `cap`) before anyone allocates for it.
    mutating func readCount(_ what: @autoclosure () -> String, elementSize: Int = 1,
                            cap: Int = .max) throws(ModelFileError) -> Int {
        let start = offset
        let raw = try read(UInt64.self, what())
        let limit = min(remaining / max(elementSize, 1), cap)
        guard raw <= UInt64(limit) else {
            throw .implausibleCount(what: what(), value: raw, offset: start, limit: limit)
        }
        return Int(raw)
    }

    /// GGUF string: u64 length then that many UTF-8 bytes (no terminator). Invalid UTF-8 becomes U+FFFD;
    /// token strings are valid in every known file, and decoding this way avoids a per-byte check.
    mutating func readString(_ what: @autoclosure () -> String) throws(ModelFileError) -> String {
        let length = try readCount("length of \(what())")
        let bytes = UnsafeRawBufferPointer(start: base + offset, count: length)
        offset += length
        return String(decoding: bytes, as: UTF8.self)
    }

    mutating func seek(to newOffset: Int, _ what: @autoclosure () -> String) throws(ModelFileError) {
        guard newOffset >= 0, newOffset <= count else {
            throw .truncated(what: what(), offset: newOffset, needed: 0, available: 0)
        }
        offset = newOffset
    }
}
