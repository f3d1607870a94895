import Kernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One tensor's entry in a GGUF file's directory.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// ggml order: `dimensions[0]` is the row length (contiguous), e.g. token_embd `[576, 49152]`.
    public let dimensions: [Int]
    public let type: TensorType
    /// Relative to the start of the tensor data section.
    public let offset: Int
    public let byteCount: Int

    public var elementCount: Int { dimensions.reduce(1, *) }
}

/// A GGUF model file (versions 2 and 3), memory-mapped read-only: tensor data is used in place.
/// Immutable after init; every count and offset is checked against the file before use.
public final class GGUFFile: @unchecked Sendable {
    public let path: String?
    public let version: UInt32
    public let fileSize: Int
    public let metadataKeys: [String]
    public let metadata: [String: GGUFValue]
    public let tensors: [GGUFTensorInfo]
    public let alignment: Int
    public let dataOffset: Int

    private let storage: Storage
    private let tensorIndex: [String: Int]

    /// "GGUF" read as a little-endian u32.
    static let magic: UInt32 = 0x4655_4747
    /// GGUF's default when `general.alignment` is absent.
    static let defaultAlignment = 32
    /// ggml tensors have at most 4 dimensions.
    static let maxDimensions = 4
    /// Sanity bounds far above any real tensor (2^40 elements is a terabyte even at 1 byte each) that keep
    /// element and byte arithmetic far from overflow.
    static let maxDimension = Int(Int32.max)
    static let maxElements = 1 << 40
    /// Real files use 32 (sometimes 64); anything past 1 MiB is corruption, and would waste the padding.
    static let maxAlignment = 1 << 20
    /// Smallest encodings: a metadata pair is a u64 key length + u32 type (12 bytes) and a tensor entry
    /// is a u64 name length + u32 dims + u32 type + u64 offset (24 bytes); counts above what the
    /// file could hold are rejected before anything is allocated.
    static let minimumMetadataBytes = 12
    static let minimumTensorBytes = 24

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
        let magic = try reader.read(UInt32.self, "magic")
        guard magic == Self.magic else { throw .badMagic(found: magic) }
        version = try reader.read(UInt32.self, "version")
        guard version == 2 || version == 3 else { throw .unsupportedVersion(version) }
        let tensorCount = try reader.readCount("tensor count", elementSize: Self.minimumTensorBytes)
        let keyCount = try reader.readCount("metadata count", elementSize: Self.minimumMetadataBytes)

        var keys: [String] = []
        var metadata: [String: GGUFValue] = [:]
        keys.reserveCapacity(keyCount)
        for index in 0..<keyCount {
            let key = try reader.readString("metadata key #\(index)")
            let rawType = try reader.read(UInt32.self, "type of '\(key)'")
            let value = try GGUFValueParser.value(rawType, key: key, reader: &reader, depth: 0)
            guard metadata.updateValue(value, forKey: key) == nil else { throw .duplicateKey(key) }
            keys.append(key)
        }
        metadataKeys = keys
        self.metadata = metadata

        var alignment = Self.defaultAlignment
        if let value = metadata["general.alignment"] {
            guard let int = value.intValue, int > 0, int & (int - 1) == 0, int <= Self.maxAlignment else {
                throw .invalidAlignment(value.intValue ?? -1)
            }
            alignment = int
        }
        self.alignment = alignment

        var infos: [GGUFTensorInfo] = []
        var index: [String: Int] = [:]
        infos.reserveCapacity(tensorCount)
        for number in 0..<tensorCount {
            let info = try Self.readTensorInfo(&reader, number: number, alignment: alignment)
            guard index.updateValue(infos.count, forKey: info.name) == nil else { throw .duplicateTensor(info.name) }
            infos.append(info)
        }
        let headerEnd = reader.offset
        let padded = (headerEnd + alignment - 1) / alignment * alignment
        // A file with no tensors may end right after its header, without padding.
        dataOffset = infos.isEmpty ? min(padded, storage.count) : padded
        for info in infos {
            let (end, overflow) = (dataOffset + info.offset).addingReportingOverflow(info.byteCount)
            guard !overflow, end <= storage.count else {
                throw .invalidTensor(name: info.name, reason: "data [\(info.offset), +\(info.byteCount)) "
                                     + "lies past the end of the file (\(storage.count - min(dataOffset, storage.count)) data bytes)")
            }
        }
        tensors = infos
        tensorIndex = index
    }

    private static func readTensorInfo(_ reader: inout ByteReader, number: Int, alignment: Int) throws(ModelFileError) -> GGUFTensorInfo {
        let name = try reader.readString("name of tensor #\(number)")
        let dimensionCount = try reader.read(UInt32.self, "dimension count of '\(name)'")
        guard dimensionCount >= 1, dimensionCount <= maxDimensions else {
            throw .invalidTensor(name: name, reason: "\(dimensionCount) dimensions (1 to \(maxDimensions) allowed)")
        }
        var dimensions: [Int] = []
        var elements = 1
        for axis in 0..<Int(dimensionCount) {
            let raw = try reader.read(UInt64.self, "dimension \(axis) of '\(name)'")
            guard raw <= UInt64(maxDimension) else {
                throw .invalidTensor(name: name, reason: "dimension \(axis) is \(raw)")
            }
            let (product, overflow) = elements.multipliedReportingOverflow(by: Int(raw))
            guard !overflow, product <= maxElements else {
                throw .invalidTensor(name: name, reason: "element count overflows")
            }
            elements = product
            dimensions.append(Int(raw))
        }
        let rawType = try reader.read(UInt32.self, "type of '\(name)'")
        guard let type = TensorType(rawValue: rawType) else { throw .unknownTensorType(tensor: name, type: rawType) }
        guard dimensions[0] % type.blockSize == 0, let byteCount = type.byteCount(elements: elements) else {
            throw .invalidTensor(name: name, reason: "row length \(dimensions[0]) is not a multiple of the "
                                 + "block size \(type.blockSize) of ggml type \(type.rawValue)")
        }
        let offset = try reader.read(UInt64.self, "offset of '\(name)'")
        guard offset <= UInt64(reader.count) else {
            throw .invalidTensor(name: name, reason: "offset \(offset) lies past the end of the \(reader.count)-byte file")
        }
        guard Int(offset) % alignment == 0 else {
            throw .invalidTensor(name: name, reason: "offset \(offset) is not a multiple of the alignment \(alignment)")
        }
        return GGUFTensorInfo(name: name, dimensions: dimensions, type: type, offset: Int(offset), byteCount: byteCount)
    }

    public func tensor(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The tensor's bytes inside the mapping; valid while this file object lives. Only entries of this
    /// file's `tensors` have checked ranges, so any other value gets an empty buffer.
    public func data(for tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        guard let index = tensorIndex[tensor.name], tensors[index] == tensor else {
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        return UnsafeRawBufferPointer(start: storage.base + dataOffset + tensor.offset, count: tensor.byteCount)
    }

    public var architecture: String? { metadata["general.architecture"]?.stringValue }
}
