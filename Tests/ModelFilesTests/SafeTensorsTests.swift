import Foundation
import ModelFiles
import Testing
import TestSupport

@Suite struct SafeTensorsTests {
    static func sample() throws -> SafeTensorsWriter {
        var generator = SeededGenerator(seed: 11)
        var writer = SafeTensorsWriter()
        writer.setMetadata("format", "pt")
        try writer.addTensor(name: "embed", dtype: .f32, shape: [3, 2], data: .random(count: 24, using: &generator))
        try writer.addTensor(name: "half", dtype: .f16, shape: [5], data: .random(count: 10, using: &generator))
        try writer.addTensor(name: "brain", dtype: .bf16, shape: [2, 1, 2], data: .random(count: 8, using: &generator))
        try writer.addTensor(name: "ids", dtype: .i64, shape: [1, 3], data: .random(count: 24, using: &generator))
        try writer.addTensor(name: "scalar", dtype: .f64, shape: [], data: .random(count: 8, using: &generator))
        try writer.addTensor(name: "flags", dtype: .bool, shape: [3], data: [0, 1, 0])
        try writer.addTensor(name: "empty", dtype: .i32, shape: [0, 4], data: [])
        try writer.addTensor(name: "bytes", dtype: .u8, shape: [2], data: [7, 9])
        try writer.addTensor(name: "signed", dtype: .i8, shape: [1], data: [0x80])
        return writer
    }

    @Test func roundTripsTensorsAndMetadata() throws {
        let bytes = try Self.sample().bytes()
        let file = try SafeTensorsFile(bytes: bytes)
        #expect(file.metadata == ["format": "pt"])
        #expect(file.tensors.count == 9)
        #expect(file.dataOffset % 8 == 0)
        #expect(file.names.prefix(2) == ["embed", "half"])
        let embed = try #require(file.tensors["embed"])
        #expect(embed.dtype == .f32)
        #expect(embed.shape == [3, 2])
        #expect(embed.elementCount == 6)
        #expect(embed.offset == 0)
        let scalar = try #require(file.tensors["scalar"])
        #expect(scalar.shape == [])
        #expect(scalar.elementCount == 1)
        #expect(file.tensors["empty"]?.byteCount == 0)
        #expect(Array(file.data(for: try #require(file.tensors["bytes"]))) == [7, 9])

        var generator = SeededGenerator(seed: 11)
        for (name, count) in [("embed", 24), ("half", 10), ("brain", 8), ("ids", 24), ("scalar", 8)] {
            let expected = [UInt8].random(count: count, using: &generator)
            #expect(Array(file.data(for: try #require(file.tensors[name]))) == expected, "\(name)")
        }
    }

    @Test func writesAndMapsAFile() throws {
        let writer = try Self.sample()
        let path = NSTemporaryDirectory() + "muse-writer-\(getpid()).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try writer.write(to: path)
        let file = try SafeTensorsFile(path: path)
        let memory = try SafeTensorsFile(bytes: writer.bytes())
        #expect(file.path == path)
        #expect(file.tensors == memory.tensors)
        for info in file.tensors.values {
            #expect(Array(file.data(for: info)) == Array(memory.data(for: info)))
        }
    }

    @Test func everyTruncationIsATypedError() throws {
        let bytes = try Self.sample().bytes()
        for length in 0..<bytes.count {
            #expect(throws: ModelFileError.self, "prefix of \(length) bytes") {
                try SafeTensorsFile(bytes: Array(bytes.prefix(length)))
            }
        }
    }

    @Test func rejectsHostileHeaderLength() {
        for length: UInt64 in [1 << 62, UInt64.max, 200_000_000, 9] {
            #expect(throws: ModelFileError.self, "header length \(length)") {
                try SafeTensorsFile(bytes: Self.file(length: length, header: "{}"))
            }
        }
    }

    @Test(arguments: [
        "not json",
        "[1, 2]",
        #"{"w": 5}"#,
        #"{"w": {"dtype": "F32", "shape": [2]}}"#,
        #"{"w": {"dtype": "Q4", "shape": [2], "data_offsets": [0, 8]}}"#,
        #"{"w": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}"#,
        #"{"w": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 8]}}"#,
        #"{"w": {"dtype": "F32", "shape": [true], "data_offsets": [0, 4]}}"#,
        #"{"w": {"dtype": "F32", "shape": ["2"], "data_offsets": [0, 8]}}"#,
        #"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}"#,
        #"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}}"#,
        #"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8, 16]}}"#,
        #"{"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}"#,
        #"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}"#,
        #"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 18446744073709551615]}}"#,
        #"{"w": {"dtype": "F64", "shape": [4294967296, 4294967296, 4294967296], "data_offsets": [0, 8]}}"#,
        #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "U8", "shape": [4], "data_offsets": [4, 8]}}"#,
        #"{"__metadata__": {"format": 5}}"#,
        #"{"__metadata__": [1]}"#,
    ])
    func rejectsBadHeaders(header: String) {
        // The data section is 8 bytes; the header is padded with spaces as the format allows.
        #expect(throws: ModelFileError.self) {
            try SafeTensorsFile(bytes: Self.file(header: header, dataBytes: 8))
        }
    }

    @Test func acceptsAMinimalHandWrittenFile() throws {
        let header = #"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "__metadata__": {"a": "b"}}"#
        let file = try SafeTensorsFile(bytes: Self.file(header: header + "   ", dataBytes: 8))
        #expect(file.tensors["w"]?.shape == [2])
        #expect(file.metadata == ["a": "b"])
    }

    @Test func mutatedFilesNeverCrash() throws {
        let original = try Self.sample().bytes()
        var generator = SeededGenerator(seed: 0xFEED)
        let boundary: [UInt8] = [0x00, 0xFF, 0x7F, 0x80, 0x22, 0x5B, 0x7B, 0x2D, 0x30]
        var parsed = 0
        for _ in 0..<2000 {
            var bytes = original
            let position = Int.random(in: 0..<bytes.count, using: &generator)
            switch Int.random(in: 0..<3, using: &generator) {
            case 0: bytes[position] = boundary.randomElement(using: &generator) ?? 0
            case 1: bytes[position] ^= UInt8(1) << UInt8.random(in: 0...7, using: &generator)
            default: bytes.removeLast(bytes.count - position)
            }
            if let file = try? SafeTensorsFile(bytes: bytes) {
                parsed += 1
                for info in file.tensors.values {
                    #expect(file.dataOffset + info.offset + info.byteCount <= file.fileSize)
                }
            }
        }
        #expect(parsed > 0)
    }

    @Test func missingFileIsReported() {
        #expect(throws: ModelFileError.fileNotFound("/nonexistent/model.safetensors")) {
            try SafeTensorsFile(path: "/nonexistent/model.safetensors")
        }
    }

    /// Opt-in check of a real file: MUSE_SAFETENSORS=/path/to/model.safetensors.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["MUSE_SAFETENSORS"] != nil))
    func readsARealFile() throws {
        let path = try #require(ProcessInfo.processInfo.environment["MUSE_SAFETENSORS"])
        let file = try SafeTensorsFile(path: path)
        print("SafeTensors \(path): \(file.tensors.count) tensors, metadata \(file.metadata)")
        for name in file.names {
            if let info = file.tensors[name] { print("  \(name) \(info.dtype.rawValue) \(info.shape)") }
        }
        #expect(!file.tensors.isEmpty)
    }

    /// Header length (given or the real one), header text padded to 8 bytes, then zeroed data.
    static func file(length: UInt64? = nil, header: String, dataBytes: Int = 0) -> [UInt8] {
        var json = Array(header.utf8)
        json += [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8)
        var bytes: [UInt8] = []
        withUnsafeBytes(of: (length ?? UInt64(json.count)).littleEndian) { bytes += $0 }
        return bytes + json + [UInt8](repeating: 0, count: dataBytes)
    }
}
