/// Reads typed metadata values, checking every array length against the bytes left.
enum GGUFValueParser {
    /// Arrays of arrays are legal; this bounds the recursion a hostile file could ask for.
    static let maxNesting = 8

    static func value(_ rawType: UInt32, key: String, reader: inout ByteReader, depth: Int) throws(ModelFileError) -> GGUFValue {
        guard let type = GGUFValueType(rawValue: rawType) else { throw .unknownValueType(key: key, type: rawType) }
        switch type {
        case .uint8: return .uint8(try reader.read(UInt8.self, key))
        case .int8: return .int8(try reader.read(Int8.self, key))
        case .uint16: return .uint16(try reader.read(UInt16.self, key))
        case .int16: return .int16(try reader.read(Int16.self, key))
        case .uint32: return .uint32(try reader.read(UInt32.self, key))
        case .int32: return .int32(try reader.read(Int32.self, key))
        case .uint64: return .uint64(try reader.read(UInt64.self, key))
        case .int64: return .int64(try reader.read(Int64.self, key))
        case .float32: return .float32(try reader.readFloat(key))
        case .float64: return .float64(try reader.readDouble(key))
        case .bool:
            let byte = try reader.read(UInt8.self, key)
            guard byte <= 1 else { throw .invalidHeader("metadata '\(key)': bool byte \(byte)") }
            return .bool(byte == 1)
        case .string: return .string(try reader.readString(key))
        case .array:
            guard depth < maxNesting else { throw .invalidHeader("metadata '\(key)': arrays nested too deep") }
            let rawElementType = try reader.read(UInt32.self, "element type of '\(key)'")
            guard let elementType = GGUFValueType(rawValue: rawElementType) else {
                throw .unknownValueType(key: key, type: rawElementType)
            }
            let count = try reader.readCount("length of '\(key)'", elementSize: minimumSize(of: elementType))
            var elements: [GGUFValue] = []
            elements.reserveCapacity(count)
            for _ in 0..<count {
                elements.append(try value(rawElementType, key: key, reader: &reader, depth: depth + 1))
            }
            return .array(elementType, elements)
        }
    }

    /// Fewest bytes one element of `type` takes, so a length can be checked before allocating.
    static func minimumSize(of type: GGUFValueType) -> Int {
        switch type {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64, .string: return 8   // a string is at least its u64 length
        case .array: return 12                               // element type + length
        }
    }
}
