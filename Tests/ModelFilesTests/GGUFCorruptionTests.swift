import Kernels
import ModelFiles
import Testing

/// Broken and hostile files must end in a typed error, never a crash or a huge allocation.
@Suite struct GGUFCorruptionTests {
    /// 2^60: far beyond any file, so a reader that trusted it would try to allocate exabytes.
    static let hostileCount: UInt64 = 1 << 60

    @Test func everyTruncationIsATypedError() throws {
        let bytes = try sampleFile().bytes()
        for length in 0..<bytes.count {
            #expect(throws: ModelFileError.self, "prefix of \(length) bytes") {
                try GGUFFile(bytes: Array(bytes.prefix(length)))
            }
        }
    }

    @Test func truncationErrorsSayWhere() {
        var builder = ByteBuilder()
        builder.header(tensors: 0, keys: 1)
        builder.string("general.name")
        #expect(throws: ModelFileError.truncated(what: "type of 'general.name'", offset: 44, needed: 4, available: 0)) {
            try GGUFFile(bytes: builder.bytes)
        }
        #expect(throws: ModelFileError.truncated(what: "magic", offset: 0, needed: 4, available: 2)) {
            try GGUFFile(bytes: [0x47, 0x47])
        }
    }

    @Test func rejectsBadMagicAndVersions() {
        #expect(throws: ModelFileError.badMagic(found: 0x4647_4747)) {
            try GGUFFile(bytes: Array("GGGF".utf8) + [UInt8](repeating: 0, count: 20))
        }
        for version: UInt32 in [0, 1, 4, .max] {
            var builder = ByteBuilder()
            builder.header(version: version, tensors: 0, keys: 0)
            #expect(throws: ModelFileError.unsupportedVersion(version)) { try GGUFFile(bytes: builder.bytes) }
        }
        #expect(ModelFileError.unsupportedVersion(1).description.contains("unsupported GGUF version 1"))
    }

    @Test func rejectsHostileCounts() {
        var tensors = ByteBuilder()
        tensors.header(tensors: 1 << 62, keys: 0)
        #expect(throws: ModelFileError.implausibleCount(what: "tensor count", value: 1 << 62, offset: 8, limit: 0)) {
            try GGUFFile(bytes: tensors.bytes)
        }
        var keys = ByteBuilder()
        keys.header(tensors: 0, keys: Self.hostileCount)
        #expect(throws: ModelFileError.implausibleCount(what: "metadata count", value: Self.hostileCount,
                                                        offset: 16, limit: 0)) {
            try GGUFFile(bytes: keys.bytes)
        }
        var string = ByteBuilder()
        string.header(tensors: 0, keys: 1)
        string.u64(Self.hostileCount)
        string.bytes += [UInt8](repeating: 0x41, count: 16)
        #expect(throws: ModelFileError.implausibleCount(what: "length of metadata key #0", value: Self.hostileCount,
                                                        offset: 24, limit: 16)) {
            try GGUFFile(bytes: string.bytes)
        }
        for elementType: UInt32 in [0, 8, 9, 12] {
            var array = ByteBuilder()
            array.header(tensors: 0, keys: 1)
            array.string("big")
            array.u32(9)
            array.u32(elementType)
            array.u64(Self.hostileCount)
            array.bytes += [UInt8](repeating: 0, count: 64)
            #expect(throws: ModelFileError.self, "element type \(elementType)") { try GGUFFile(bytes: array.bytes) }
        }
    }

    @Test func rejectsDeepNestingAndBadValues() {
        var nested = ByteBuilder()
        nested.header(tensors: 0, keys: 1)
        nested.string("deep")
        for _ in 0..<100 {
            nested.u32(9)        // array ...
        }
        for _ in 0..<100 {
            nested.u32(9)        // ... of arrays, one element each
            nested.u64(1)
        }
        #expect(throws: ModelFileError.self) { try GGUFFile(bytes: nested.bytes) }

        var unknown = ByteBuilder()
        unknown.header(tensors: 0, keys: 1)
        unknown.string("odd")
        unknown.u32(13)
        unknown.u64(0)
        #expect(throws: ModelFileError.unknownValueType(key: "odd", type: 13)) { try GGUFFile(bytes: unknown.bytes) }

        var badBool = ByteBuilder()
        badBool.header(tensors: 0, keys: 1)
        badBool.string("flag")
        badBool.u32(7)
        badBool.bytes.append(2)
        #expect(throws: ModelFileError.self) { try GGUFFile(bytes: badBool.bytes) }
    }

    @Test func rejectsDuplicateKeysAndTensors() throws {
        var keys = ByteBuilder()
        keys.header(tensors: 0, keys: 2)
        for _ in 0..<2 {
            keys.string("same")
            keys.u32(0)
            keys.bytes.append(1)
        }
        #expect(throws: ModelFileError.duplicateKey("same")) { try GGUFFile(bytes: keys.bytes) }

        let tensors = tensorFile([("w", [4], 0, 0), ("w", [4], 0, 32)], dataBytes: 64)
        #expect(throws: ModelFileError.duplicateTensor("w")) { try GGUFFile(bytes: tensors) }
    }

    @Test(arguments: [0, 3, 48, -32, 1 << 21])
    func rejectsBadAlignment(alignment: Int) {
        var writer = GGUFWriter()
        writer.set("general.alignment", .int64(Int64(alignment)))
        #expect(throws: ModelFileError.invalidAlignment(alignment)) { try GGUFFile(bytes: writer.bytes()) }
    }

    @Test func rejectsNonIntegerAlignment() {
        var writer = GGUFWriter()
        writer.set("general.alignment", .string("32"))
        #expect(throws: ModelFileError.self) { try GGUFFile(bytes: writer.bytes()) }
    }

    @Test func rejectsBadTensorEntries() throws {
        // Valid baseline: one f32 tensor of 4 elements at offset 0.
        _ = try GGUFFile(bytes: tensorFile([("w", [4], 0, 0)], dataBytes: 16))
        let cases: [(String, [UInt8])] = [
            ("data past end", tensorFile([("w", [4], 0, 0)], dataBytes: 15)),
            ("offset past end", tensorFile([("w", [4], 0, 1 << 40)], dataBytes: 16)),
            ("huge offset", tensorFile([("w", [4], 0, UInt64.max - 31)], dataBytes: 16)),
            ("misaligned offset", tensorFile([("w", [4], 0, 4)], dataBytes: 64)),
            ("no dims", tensorFile([("w", [], 0, 0)], dataBytes: 16)),
            ("five dims", tensorFile([("w", [1, 1, 1, 1, 1], 0, 0)], dataBytes: 16)),
            ("dims overflow", tensorFile([("w", [1 << 31, 1 << 31, 1 << 31, 1 << 31], 0, 0)], dataBytes: 16)),
            ("huge dim", tensorFile([("w", [UInt64.max], 0, 0)], dataBytes: 16)),
            ("row not whole blocks", tensorFile([("w", [16, 2], 8, 0)], dataBytes: 64)),
            ("unknown type", tensorFile([("w", [4], 4, 0)], dataBytes: 16)),
        ]
        for (label, bytes) in cases {
            #expect(throws: ModelFileError.self, "\(label)") { try GGUFFile(bytes: bytes) }
        }
        #expect(throws: ModelFileError.unknownTensorType(tensor: "w", type: 4)) {
            try GGUFFile(bytes: tensorFile([("w", [4], 4, 0)], dataBytes: 16))
        }
        #expect(throws: ModelFileError.self) {
            try GGUFFile(bytes: tensorFile([("w", [4], 0, 0)], dataBytes: 16, tensorCountOverride: 2))
        }
    }

    @Test func zeroSizedTensorIsAccepted() throws {
        let file = try GGUFFile(bytes: tensorFile([("empty", [0, 3], 0, 0)], dataBytes: 0))
        let info = try #require(file.tensor(named: "empty"))
        #expect(info.elementCount == 0)
        #expect(file.data(for: info).count == 0)
    }

    @Test func invalidUTF8InStringsIsReplaced() throws {
        var builder = ByteBuilder()
        builder.header(tensors: 0, keys: 1)
        builder.string("bad")
        builder.u32(8)
        builder.u64(3)
        builder.bytes += [0x61, 0xFF, 0x62]
        let file = try GGUFFile(bytes: builder.bytes)
        #expect(try file.string("bad") == "a\u{FFFD}b")
    }

    @Test func foreignTensorInfoGetsNoBytes() throws {
        let file = try GGUFFile(bytes: tensorFile([("w", [4], 0, 0)], dataBytes: 16))
        let other = try GGUFFile(bytes: tensorFile([("w", [8], 0, 0)], dataBytes: 32))
        let foreign = try #require(other.tensor(named: "w"))
        #expect(file.data(for: foreign).count == 0)
        #expect(file.data(for: try #require(file.tensor(named: "w"))).count == 16)
    }

    @Test func unreadablePathsAreReported() {
        #expect(throws: ModelFileError.self) { try GGUFFile(path: "/") }
        #expect(throws: ModelFileError.invalidHeader("/dev/null is not a regular file")) { try GGUFFile(path: "/dev/null") }
        #expect(ModelFileError.cannotOpen("/x", errno: 13).description == "cannot open /x: Permission denied (errno 13)")
    }

    @Test func missingFileIsReported() {
        #expect(throws: ModelFileError.fileNotFound("/nonexistent/model.gguf")) {
            try GGUFFile(path: "/nonexistent/model.gguf")
        }
    }

    /// A hand-made v3 file: tensor entries (name, dims, ggml type, offset), padding to 32, then
    /// `dataBytes` zero bytes.
    private func tensorFile(_ entries: [(String, [UInt64], UInt32, UInt64)], dataBytes: Int,
                            tensorCountOverride: UInt64? = nil) -> [UInt8] {
        var builder = ByteBuilder()
        builder.header(tensors: tensorCountOverride ?? UInt64(entries.count), keys: 0)
        for (name, dimensions, type, offset) in entries {
            builder.string(name)
            builder.u32(UInt32(dimensions.count))
            for dimension in dimensions { builder.u64(dimension) }
            builder.u32(type)
            builder.u64(offset)
        }
        builder.bytes += [UInt8](repeating: 0, count: (32 - builder.bytes.count % 32) % 32 + dataBytes)
        return builder.bytes
    }
}
