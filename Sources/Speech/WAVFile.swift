import Foundation

/// Mono 16-bit PCM in a RIFF/WAVE container: what espeak-ng produces and any player reads.
public struct WAVFile: Sendable, Equatable {
    public let sampleRate: Int
    /// Shape: [frames], mono, signed 16-bit.
    public let samples: [Int16]

    public init(sampleRate: Int, samples: [Int16]) { (self.sampleRate, self.samples) = (sampleRate, samples) }

    public var durationSeconds: Double { Double(samples.count) / Double(sampleRate) }

    /// The canonical 44-byte header (RIFF, `fmt ` PCM mono 16-bit, `data`), then the samples little-endian.
    public func encoded() -> Data {
        let dataBytes = samples.count * 2
        var out = Data()
        out.reserveCapacity(44 + dataBytes)
        func u32(_ value: Int) { out.append(contentsOf: (0..<4).map { UInt8((value >> (8 * $0)) & 0xff) }) }
        func u16(_ value: Int) { out.append(contentsOf: (0..<2).map { UInt8((value >> (8 * $0)) & 0xff) }) }
        out.append(contentsOf: Array("RIFF".utf8)); u32(36 + dataBytes); out.append(contentsOf: Array("WAVE".utf8))
        out.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(1)  // PCM, mono
        u32(sampleRate); u32(sampleRate * 2); u16(2); u16(16)                // byte rate, block align, bits
        out.append(contentsOf: Array("data".utf8)); u32(dataBytes)
        for sample in samples { u16(Int(UInt16(bitPattern: sample))) }
        return out
    }

    /// Reads a mono 16-bit PCM WAV, skipping chunks other than `fmt ` and `data`.
    public static func decode(_ data: Data) throws(SpeechError) -> WAVFile {
        let bytes = [UInt8](data)
        func u32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        guard bytes.count >= 12, bytes[0..<4].elementsEqual("RIFF".utf8), bytes[8..<12].elementsEqual("WAVE".utf8) else {
            throw .invalidWAV("no RIFF/WAVE header")
        }
        var offset = 12, rate: Int?
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self), size = u32(offset + 4), body = offset + 8
            guard size >= 0, body + size <= bytes.count else { throw .invalidWAV("chunk '\(id)' runs past the end") }
            if id == "fmt " {
                guard size >= 16, u16(body) == 1, u16(body + 2) == 1, u16(body + 14) == 16 else {
                    throw .invalidWAV("only mono 16-bit PCM is read")
                }
                rate = u32(body + 4)
            } else if id == "data" {
                guard let rate, rate > 0 else { throw .invalidWAV("data before fmt") }
                let samples = stride(from: body, to: body + size - 1, by: 2).map { Int16(bitPattern: UInt16(u16($0))) }
                return WAVFile(sampleRate: rate, samples: samples)
            }
            offset = body + size + (size & 1)  // chunks are padded to even sizes
        }
        throw .invalidWAV("no data chunk")
    }
}
