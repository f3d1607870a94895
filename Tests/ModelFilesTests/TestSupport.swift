import Kernels
import ModelFiles
import TestSupport

extension Array where Element == UInt8 {
    static func random(count: Int, using generator: inout SeededGenerator) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}

/// Little-endian byte assembly for hand-made (often deliberately broken) headers.
struct ByteBuilder {
    var bytes: [UInt8] = []

    mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func string(_ value: String) {
        u64(UInt64(value.utf8.count))
        bytes.append(contentsOf: value.utf8)
    }

    /// Magic, version, tensor count and metadata count.
    mutating func header(version: UInt32 = 3, tensors: UInt64, keys: UInt64) {
        u32(0x4655_4747)
        u32(version)
        u64(tensors)
        u64(keys)
    }
}

/// A small valid file with every metadata type, a nested array and tensors of three types.
func sampleFile(version: UInt32 = 3, alignment: Int = 32) throws -> GGUFWriter {
    var generator = SeededGenerator(seed: 7)
    var writer = GGUFWriter(version: version, alignment: alignment)
    writer.set("general.architecture", .string("llama"))
    writer.set("test.u8", .uint8(200))
    writer.set("test.i8", .int8(-100))
    writer.set("test.u16", .uint16(60_000))
    writer.set("test.i16", .int16(-30_000))
    writer.set("test.u32", .uint32(4_000_000_000))
    writer.set("test.i32", .int32(-2_000_000_000))
    writer.set("test.u64", .uint64(UInt64.max))
    writer.set("test.i64", .int64(Int64.min))
    writer.set("test.f32", .float32(0.15625))
    writer.set("test.f64", .float64(-1e300))
    writer.set("test.bool", .bool(true))
    writer.set("test.string", .string("héllo ▁wörld"))
    writer.set("test.empty", .string(""))
    writer.set("test.strings", .array(.string, [.string("a"), .string(""), .string("Ġthe")]))
    writer.set("test.ints", .array(.int32, [.int32(1), .int32(-2), .int32(3)]))
    writer.set("test.floats", .array(.float32, [.float32(1.5), .float32(-0.25)]))
    writer.set("test.nested", .array(.array, [
        .array(.uint8, [.uint8(1), .uint8(2)]),
        .array(.string, [.string("x")]),
        .array(.array, [.array(.bool, [.bool(false)])]),
    ]))
    writer.set("test.emptyArray", .array(.uint64, []))
    try writer.addTensor(name: "a.f32", dimensions: [3, 2], type: .f32, data: .random(count: 24, using: &generator))
    try writer.addTensor(name: "b.q8_0", dimensions: [64, 2], type: .q8_0, data: .random(count: 136, using: &generator))
    try writer.addTensor(name: "c.q4_1", dimensions: [32, 1, 1, 3], type: .q4_1,
                         data: .random(count: 60, using: &generator))
    return writer
}
