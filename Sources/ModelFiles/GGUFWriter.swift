import Kernels

/// Builds a GGUF file (version 2 or 3, little-endian) in memory: ordered metadata, then tensors
/// with their data padded to the alignment. Used by tests to make tiny models.
public struct GGUFWriter: Sendable {
    public let version: UInt32
    public let alignment: Int

    private var keys: [String] = []
    private var values: [String: GGUFValue] = [:]
    private var entries: [Entry] = []
    private var tensorNames: Set<String> = []

    private struct Entry: Sendable {
        let name: String
        let dimensions: [Int]
        let type: TensorType
        let data: [UInt8]
    }

    /// When `alignment` differs from GGUF's default of 32, `general.alignment` is set to it
    /// (a later `set` of that key overrides it, which tests use to write inconsistent files).
    public init(version: UInt32 = 3, alignment: Int = 32) {
        self.version = version
        self.alignment = max(alignment, 1)
        if alignment != GGUFFile.defaultAlignment {
            set("general.alignment", .uint32(UInt32(clamping: alignment)))
        }
    }

    /// Sets a metadata value; a key set again keeps its first position.
    public mutating func set(_ key: String, _ value: GGUFValue) {
        if values.updateValue(value, forKey: key) == nil { keys.append(key) }
    }

    /// Adds a tensor whose `data` is exactly `type.byteCount(elements:)` bytes.
    public mutating func addTensor(name: String, dimensions: [Int], type: TensorType, data: [UInt8]) throws(ModelFileError) {
        guard (1...GGUFFile.maxDimensions).contains(dimensions.count), dimensions.allSatisfy({ $0 >= 0 }) else {
            throw .invalidTensor(name: name, reason: "dimensions \(dimensions) (1 to \(GGUFFile.maxDimensions) non-negative)")
        }
        var elements = 1
        for dimension in dimensions {
            let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw .invalidTensor(name: name, reason: "element count overflows") }
            elements = product
        }
        guard dimensions[0] % type.blockSize == 0, let expected = type.byteCount(elements: elements) else {
            throw .invalidTensor(name: name, reason: "row length \(dimensions[0]) is not a multiple of the "
                                 + "block size \(type.blockSize) of ggml type \(type.rawValue)")
        }
        guard data.count == expected else {
            throw .invalidTensor(name: name, reason: "\(data.count) data bytes given, \(expected) needed")
        }
        guard tensorNames.insert(name).inserted else { throw .duplicateTensor(name) }
        entries.append(Entry(name: name, dimensions: dimensions, type: type, data: data))
    }

    /// The complete file.
    public func bytes() -> [UInt8] {
        var out: [UInt8] = []
        append(GGUFFile.magic, to: &out)
        append(version, to: &out)
        append(UInt64(entries.count), to: &out)
        append(UInt64(keys.count), to: &out)
        for key in keys {
            appendString(key, to: &out)
            if let value = values[key] {
                append(value.type.rawValue, to: &out)
                appendPayload(of: value, to: &out)
            }
        }
        var offset = 0
        var offsets: [Int] = []
        for entry in entries {
            offsets.append(offset)
            appendString(entry.name, to: &out)
            append(UInt32(entry.dimensions.count), to: &out)
            for dimension in entry.dimensions { append(UInt64(dimension), to: &out) }
            append(entry.type.rawValue, to: &out)
            append(UInt64(offset), to: &out)
            offset = padded(offset + entry.data.count)
        }
        guard !entries.isEmpty else { return out }
        out.append(contentsOf: repeatElement(0, count: padded(out.count) - out.count))
        let dataStart = out.count
        for (entry, start) in zip(entries, offsets) {
            out.append(contentsOf: repeatElement(0, count: dataStart + start - out.count))
            out.append(contentsOf: entry.data)
        }
        return out
    }

    /// Writes `bytes()` to `path`, replacing any file there.
    public func write(to path: String) throws(ModelFileError) {
        try writeFile(bytes(), to: path)
    }

    private func padded(_ offset: Int) -> Int {
        (offset + alignment - 1) / alignment * alignment
    }

    private func append<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    private func appendString(_ string: String, to out: inout [UInt8]) {
        let utf8 = Array(string.utf8)
        append(UInt64(utf8.count), to: &out)
        out.append(contentsOf: utf8)
    }

    /// A value without its type tag (arrays carry their element type and length).
    private func appendPayload(of value: GGUFValue, to out: inout [UInt8]) {
        switch value {
        case .uint8(let v): append(v, to: &out)
        case .int8(let v): append(v, to: &out)
        case .uint16(let v): append(v, to: &out)
        case .int16(let v): append(v, to: &out)
        case .uint32(let v): append(v, to: &out)
        case .int32(let v): append(v, to: &out)
        case .uint64(let v): append(v, to: &out)
        case .int64(let v): append(v, to: &out)
        case .float32(let v): append(v.bitPattern, to: &out)
        case .float64(let v): append(v.bitPattern, to: &out)
        case .bool(let v): out.append(v ? 1 : 0)
        case .string(let v): appendString(v, to: &out)
        case .array(let elementType, let elements):
            append(elementType.rawValue, to: &out)
            append(UInt64(elements.count), to: &out)
            for element in elements { appendPayload(of: element, to: &out) }
        }
    }
}

