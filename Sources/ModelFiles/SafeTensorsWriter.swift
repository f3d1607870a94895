import Foundation

/// Builds a SafeTensors file in memory, tensors laid out in the order added. Used by tests.
public struct SafeTensorsWriter: Sendable {
    private var entries: [(name: String, dtype: SafeTensorsDType, shape: [Int], data: [UInt8])] = []
    private var metadata: [String: String] = [:]

    /// The format recommends starting the data section on an 8-byte boundary.
    static let headerAlignment = 8

    public init() {}

    public mutating func setMetadata(_ key: String, _ value: String) {
        metadata[key] = value
    }

    /// Adds a tensor whose `data` is exactly product(shape) × dtype size bytes.
    public mutating func addTensor(name: String, dtype: SafeTensorsDType, shape: [Int], data: [UInt8]) throws(ModelFileError) {
        guard name != SafeTensorsFile.metadataKey, !entries.contains(where: { $0.name == name }) else {
            throw .duplicateTensor(name)
        }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw .invalidTensor(name: name, reason: "negative dimension in \(shape)") }
        var bytes = dtype.byteSize
        for dimension in shape {
            let (product, overflow) = bytes.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw .invalidTensor(name: name, reason: "shape \(shape) overflows") }
            bytes = product
        }
        guard data.count == bytes else {
            throw .invalidTensor(name: name, reason: "\(data.count) data bytes given, \(bytes) needed")
        }
        entries.append((name, dtype, shape, data))
    }

    /// The complete file.
    public func bytes() throws(ModelFileError) -> [UInt8] {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header[SafeTensorsFile.metadataKey] = metadata }
        var offset = 0
        for entry in entries {
            header[entry.name] = [
                "dtype": entry.dtype.rawValue,
                "shape": entry.shape,
                "data_offsets": [offset, offset + entry.data.count],
            ] as [String: Any]
            offset += entry.data.count
        }
        var json: [UInt8]
        do {
            json = Array(try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
        } catch {
            throw .invalidHeader("cannot encode SafeTensors header: \(error.localizedDescription)")
        }
        // Spaces are the padding the format allows after the JSON.
        let padding = (Self.headerAlignment - json.count % Self.headerAlignment) % Self.headerAlignment
        json += [UInt8](repeating: 0x20, count: padding)
        var out: [UInt8] = []
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out += json
        for entry in entries { out += entry.data }
        return out
    }

    /// Writes `bytes()` to `path`, replacing any file there.
    public func write(to path: String) throws(ModelFileError) {
        try writeFile(bytes(), to: path)
    }
}
