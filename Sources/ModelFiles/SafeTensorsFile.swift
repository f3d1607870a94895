import Foundation

/// Element types a SafeTensors header can name.
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8"
    case u64 = "U64", u32 = "U32", u16 = "U16", u8 = "U8", bool = "BOOL"
    case f8e4m3 = "F8_E4M3", f8e5m2 = "F8_E5M2"

    public var byteSize: Int {
        switch self {
        case .f64, .i64, .u64: return 8
        case .f32, .i32, .u32: return 4
        case .f16, .bf16, .i16, .u16: return 2
        case .i8, .u8, .bool, .f8e4m3, .f8e5m2: return 1
        }
    }
}

/// One tensor's entry in a SafeTensors header.
public struct SafeTensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: SafeTensorsDType
    /// Row-major, outermost first (the opposite of ggml's order), e.g. `[vocab, dim]`.
    public let shape: [Int]
    /// Byte offset of the first element, relative to the start of the data section.
    public let offset: Int
    public let byteCount: Int

    public var elementCount: Int { shape.reduce(1, *) }
}

/// A SafeTensors file: an 8-byte little-endian header length, a JSON header, then raw tensor data,
/// memory-mapped read-only. Immutable after init; every shape and range is checked against the file.
public final class SafeTensorsFile: @unchecked Sendable {
    public let path: String?
    public let fileSize: Int
    public let tensors: [String: SafeTensorInfo]
    /// The optional `__metadata__` map of strings.
    public let metadata: [String: String]
    /// Absolute offset of the data section (8 + header length).
    public let dataOffset: Int

    private let storage: Storage

    /// Headers above this are refused before they are read (the reference implementation uses the same bound).
    public static let maxHeaderBytes = 100_000_000
    static let metadataKey = "__metadata__"

    public convenience init(path: String) throws(ModelFileError) {
        try self.init(storage: try Storage(mapping: path), path: path)
    }

    /// Parses a file held in memory (tests, fuzzing); the bytes are copied.
    public convenience init(bytes: [UInt8]) throws(ModelFileError) {
        try self.init(storage: Storage(copying: bytes), path: nil)
    }

    private init(storage: Storage, path: String?) throws(ModelFileError) {
        self.storage = storage
        self.path = path
        fileSize = storage.count
        var reader = ByteReader(base: storage.base, count: storage.count)
        let headerLength = try reader.readCount("SafeTensors header length", cap: Self.maxHeaderBytes)
        dataOffset = reader.offset + headerLength
        let header = Data(bytes: storage.base + reader.offset, count: headerLength)
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: header)
        } catch {
            throw .invalidHeader("SafeTensors header is not valid JSON: \(error.localizedDescription)")
        }
        guard let entries = root as? [String: Any] else {
            throw .invalidHeader("SafeTensors header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        var tensors: [String: SafeTensorInfo] = [:]
        let dataBytes = storage.count - dataOffset
        for (name, entry) in entries {
            if name == Self.metadataKey {
                metadata = try Self.parseMetadata(entry)
            } else {
                tensors[name] = try Self.parseTensor(name: name, entry: entry, dataBytes: dataBytes)
            }
        }
        try Self.checkNoOverlaps(tensors.values)
        self.metadata = metadata
        self.tensors = tensors
    }

    /// Tensor names in data order.
    public var names: [String] {
        tensors.values.sorted { ($0.offset, $0.name) < ($1.offset, $1.name) }.map(\.name)
    }

    /// The tensor's bytes inside the mapping; valid while this file object lives. Only entries of this
    /// file's `tensors` have checked ranges, so any other value gets an empty buffer.
    public func data(for tensor: SafeTensorInfo) -> UnsafeRawBufferPointer {
        guard tensors[tensor.name] == tensor else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: storage.base + dataOffset + tensor.offset, count: tensor.byteCount)
    }

    private static func parseMetadata(_ entry: Any) throws(ModelFileError) -> [String: String] {
        guard let map = entry as? [String: Any] else {
            throw .invalidHeader("SafeTensors \(metadataKey) is not a JSON object")
        }
        var metadata: [String: String] = [:]
        for (key, value) in map {
            guard let string = value as? String else {
                throw .invalidHeader("SafeTensors \(metadataKey) value for '\(key)' is not a string")
            }
            metadata[key] = string
        }
        return metadata
    }

    private static func parseTensor(name: String, entry: Any, dataBytes: Int) throws(ModelFileError) -> SafeTensorInfo {
        guard let fields = entry as? [String: Any] else {
            throw .invalidTensor(name: name, reason: "entry is not a JSON object")
        }
        guard let dtypeName = fields["dtype"] as? String else {
            throw .invalidTensor(name: name, reason: "missing string 'dtype'")
        }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw .invalidTensor(name: name, reason: "unsupported dtype '\(dtypeName)'")
        }
        guard let shape = integers(fields["shape"]) else {
            throw .invalidTensor(name: name, reason: "'shape' is not an array of non-negative integers")
        }
        guard let range = integers(fields["data_offsets"]), range.count == 2 else {
            throw .invalidTensor(name: name, reason: "'data_offsets' is not a pair of non-negative integers")
        }
        let (begin, end) = (range[0], range[1])
        guard begin <= end, end <= dataBytes else {
            throw .invalidTensor(name: name, reason: "data_offsets [\(begin), \(end)) outside the \(dataBytes)-byte data section")
        }
        var bytes = dtype.byteSize
        for dimension in shape {
            let (product, overflow) = bytes.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw .invalidTensor(name: name, reason: "shape \(shape) overflows") }
            bytes = product
        }
        guard bytes == end - begin else {
            throw .invalidTensor(name: name, reason: "shape \(shape) of \(dtypeName) needs \(bytes) bytes, "
                                 + "data_offsets give \(end - begin)")
        }
        return SafeTensorInfo(name: name, dtype: dtype, shape: shape, offset: begin, byteCount: bytes)
    }

    /// JSON numbers that are exact non-negative integers (rejects 1.5, -1, true, strings).
    private static func integers(_ value: Any?) -> [Int]? {
        guard let array = value as? [Any] else { return nil }
        var result: [Int] = []
        result.reserveCapacity(array.count)
        for element in array {
            // The string comparison rejects fractions, exponents and values that do not fit an Int.
            guard let number = element as? NSNumber, !isBoolean(number) else { return nil }
            let int = number.intValue
            guard int >= 0, number.stringValue == String(int) else { return nil }
            result.append(int)
        }
        return result
    }

    private static func isBoolean(_ number: NSNumber) -> Bool {
        // JSONSerialization yields booleans as NSNumber; their objCType is "c" ('B' on some platforms).
        let type = String(cString: number.objCType)
        return type == "c" || type == "B"
    }

    /// Tensors may leave gaps but must not share bytes.
    private static func checkNoOverlaps(_ infos: Dictionary<String, SafeTensorInfo>.Values) throws(ModelFileError) {
        let ordered = infos.filter { $0.byteCount > 0 }.sorted { ($0.offset, $0.name) < ($1.offset, $1.name) }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where next.offset < previous.offset + previous.byteCount {
            throw .invalidTensor(name: next.name, reason: "data overlaps tensor '\(previous.name)'")
        }
    }
}
