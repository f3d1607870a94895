import ModelFiles
import Testing
import TestSupport

/// Seeded random mutations of a valid file: each must parse or throw ModelFileError, never crash,
/// and whatever parses must describe tensor data that lies inside the file.
@Suite struct GGUFFuzzTests {
    static let iterations = 6000
    /// Values that sit on the edges of integer ranges, where length and offset checks break.
    static let boundaryBytes: [UInt8] = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0x20, 0x1F]

    @Test func mutatedFilesNeverCrash() throws {
        let original = try sampleFile().bytes()
        var generator = SeededGenerator(seed: 0x5EED_F11E)
        var parsed = 0
        for _ in 0..<Self.iterations {
            let mutated = mutate(original, using: &generator)
            do {
                let file = try GGUFFile(bytes: mutated)
                parsed += 1
                for info in file.tensors {
                    #expect(file.dataOffset + info.offset + info.byteCount <= file.fileSize)
                    #expect(file.data(for: info).count == info.byteCount)
                }
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
        // Both outcomes must be exercised for the test to mean anything.
        #expect(parsed > 0)
        #expect(parsed < Self.iterations)
    }

    private func mutate(_ bytes: [UInt8], using generator: inout SeededGenerator) -> [UInt8] {
        var result = bytes
        let rounds = Int.random(in: 1...4, using: &generator)
        for _ in 0..<rounds where !result.isEmpty {
            let position = Int.random(in: 0..<result.count, using: &generator)
            switch Int.random(in: 0..<6, using: &generator) {
            case 0:
                result[position] ^= UInt8(1) << UInt8.random(in: 0...7, using: &generator)
            case 1:
                result[position] = Self.boundaryBytes.randomElement(using: &generator) ?? 0
            case 2:
                // Overwrite a whole little-endian u64 field with a boundary value.
                let fill = Self.boundaryBytes.randomElement(using: &generator) ?? 0
                for index in position..<min(position + 8, result.count) { result[index] = fill }
            case 3:
                result.removeLast(Int.random(in: 0...(result.count - position), using: &generator))
            case 4:
                let length = Int.random(in: 1...min(64, result.count - position), using: &generator)
                let target = Int.random(in: 0...result.count, using: &generator)
                result.insert(contentsOf: result[position..<(position + length)], at: target)
            default:
                result[position] = UInt8.random(in: 0...255, using: &generator)
            }
        }
        return result
    }
}
