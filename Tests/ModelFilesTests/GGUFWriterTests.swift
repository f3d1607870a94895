import Foundation
import Kernels
import ModelFiles
import Testing
import TestSupport

@Suite struct GGUFWriterTests {
    @Test(arguments: [UInt32(2), 3])
    func roundTripsEveryValueTypeAndTensor(version: UInt32) throws {
        let writer = try sampleFile(version: version)
        let bytes = writer.bytes()
        let file = try GGUFFile(bytes: bytes)
        #expect(file.version == version)
        #expect(file.fileSize == bytes.count)
        #expect(file.alignment == 32)
        #expect(file.dataOffset % 32 == 0)
        #expect(file.metadataKeys.first == "general.architecture")
        #expect(file.metadataKeys.count == 19)
        #expect(file.metadata["test.u8"] == .uint8(200))
        #expect(file.metadata["test.i8"] == .int8(-100))
        #expect(file.metadata["test.u16"] == .uint16(60_000))
        #expect(file.metadata["test.i16"] == .int16(-30_000))
        #expect(file.metadata["test.u32"] == .uint32(4_000_000_000))
        #expect(file.metadata["test.i32"] == .int32(-2_000_000_000))
        #expect(file.metadata["test.u64"] == .uint64(UInt64.max))
        #expect(file.metadata["test.u64"]?.intValue == nil)
        #expect(file.metadata["test.i64"] == .int64(Int64.min))
        #expect(try file.float("test.f32") == 0.15625)
        #expect(try file.float("test.f64") == -1e300)
        #expect(try file.bool("test.bool"))
        #expect(try file.string("test.string") == "héllo ▁wörld")
        #expect(try file.string("test.empty") == "")
        #expect(try file.stringArray("test.strings") == ["a", "", "Ġthe"])
        #expect(try file.intArray("test.ints") == [1, -2, 3])
        #expect(try file.floatArray("test.floats") == [1.5, -0.25])
        #expect(try file.intArray("test.emptyArray") == [])
        #expect(file.metadata["test.nested"] == .array(.array, [
            .array(.uint8, [.uint8(1), .uint8(2)]),
            .array(.string, [.string("x")]),
            .array(.array, [.array(.bool, [.bool(false)])]),
        ]))
        #expect(file.architecture == "llama")

        var generator = SeededGenerator(seed: 7)
        let expected: [(String, [Int], TensorType, [UInt8])] = [
            ("a.f32", [3, 2], .f32, .random(count: 24, using: &generator)),
            ("b.q8_0", [64, 2], .q8_0, .random(count: 136, using: &generator)),
            ("c.q4_1", [32, 1, 1, 3], .q4_1, .random(count: 60, using: &generator)),
        ]
        #expect(file.tensors.map(\.name) == expected.map(\.0))
        for (name, dimensions, type, data) in expected {
            let info = try #require(file.tensor(named: name))
            #expect(info.dimensions == dimensions)
            #expect(info.type == type)
            #expect(info.byteCount == data.count)
            #expect(info.offset % 32 == 0)
            #expect(Array(file.data(for: info)) == data)
        }
        #expect(file.tensor(named: "missing") == nil)
    }

    @Test func honoursACustomAlignment() throws {
        let file = try GGUFFile(bytes: try sampleFile(alignment: 64).bytes())
        #expect(file.alignment == 64)
        #expect(try file.int("general.alignment") == 64)
        #expect(file.dataOffset % 64 == 0)
        #expect(file.tensors.allSatisfy { $0.offset % 64 == 0 })
    }

    @Test func writesAndMapsAFile() throws {
        let writer = try sampleFile()
        let path = NSTemporaryDirectory() + "muse-writer-\(getpid()).gguf"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try writer.write(to: path)
        let file = try GGUFFile(path: path)
        #expect(file.path == path)
        let fromMemory = try GGUFFile(bytes: writer.bytes())
        #expect(file.metadataKeys == fromMemory.metadataKeys)
        #expect(file.metadata == fromMemory.metadata)
        #expect(file.tensors == fromMemory.tensors)
        for info in file.tensors {
            #expect(Array(file.data(for: info)) == Array(fromMemory.data(for: info)))
        }
    }

    @Test func fileWithoutTensorsParses() throws {
        var writer = GGUFWriter()
        writer.set("only", .string("metadata"))
        let file = try GGUFFile(bytes: writer.bytes())
        #expect(file.tensors.isEmpty)
        #expect(try file.string("only") == "metadata")
    }

    @Test func settingAKeyAgainKeepsItsPlace() throws {
        var writer = GGUFWriter()
        writer.set("first", .uint8(1))
        writer.set("second", .uint8(2))
        writer.set("first", .uint8(3))
        let file = try GGUFFile(bytes: writer.bytes())
        #expect(file.metadataKeys == ["first", "second"])
        #expect(try file.int("first") == 3)
    }

    @Test func rejectsBadTensorsWhenWriting() throws {
        var writer = GGUFWriter()
        #expect(throws: ModelFileError.self) {
            try writer.addTensor(name: "short", dimensions: [4], type: .f32, data: [0, 0, 0])
        }
        #expect(throws: ModelFileError.self) {
            try writer.addTensor(name: "row", dimensions: [16], type: .q8_0, data: [UInt8](repeating: 0, count: 17))
        }
        #expect(throws: ModelFileError.self) {
            try writer.addTensor(name: "dims", dimensions: [1, 1, 1, 1, 1], type: .f32, data: [0, 0, 0, 0])
        }
        try writer.addTensor(name: "x", dimensions: [1], type: .f32, data: [0, 0, 0, 0])
        #expect(throws: ModelFileError.duplicateTensor("x")) {
            try writer.addTensor(name: "x", dimensions: [1], type: .f32, data: [0, 0, 0, 0])
        }
    }
}
