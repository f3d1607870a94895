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

    /// The most channels a WAV may have here (stereo from phones, 4 from some glasses' mic arrays).
    public static let maxChannels = 8

    /// Reads a 16-bit PCM WAV, skipping chunks other than `fmt ` and `data`; several channels
    /// are averaged into one.
    public static func decode(_ data: Data) throws(SpeechError) -> WAVFile {
        let bytes = [UInt8](data)
        func u32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        guard bytes.count >= 12, bytes[0..<4].elementsEqual("RIFF".utf8), bytes[8..<12].elementsEqual("WAVE".utf8) else {
            throw .invalidWAV("no RIFF/WAVE header")
        }
        var offset = 12, format: (rate: Int, channels: Int)?
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self), size = u32(offset + 4), body = offset + 8
            guard size >= 0, body + size <= bytes.count else { throw .invalidWAV("chunk '\(id)' runs past the end") }
            if id == "fmt " {
                // 0xFFFE is WAVE_FORMAT_EXTENSIBLE, which ffmpeg and Android write for plain PCM too.
                guard size >= 16, [1, 0xFFFE].contains(u16(body)), u16(body + 14) == 16 else {
                    throw .invalidWAV("only 16-bit PCM is read")
                }
                let channels = u16(body + 2)
                guard (1...Self.maxChannels).contains(channels) else { throw .invalidWAV("\(channels) channels") }
                format = (u32(body + 4), channels)
            } else if id == "data" {
                guard let format, format.rate > 0 else { throw .invalidWAV("data before fmt") }
                let frameBytes = 2 * format.channels
                // Shape: [frames], each the mean of its `channels` interleaved samples.
                let samples = stride(from: body, to: body + size - frameBytes + 1, by: frameBytes).map { frame in
                    let sum = (0..<format.channels).reduce(0) { $0 + Int(Int16(bitPattern: UInt16(u16(frame + 2 * $1)))) }
                    return Int16(sum / format.channels)
                }
                return WAVFile(sampleRate: format.rate, samples: samples)
            }
            offset = body + size + (size & 1)  // chunks are padded to even sizes
        }
        throw .invalidWAV("no data chunk")
    }

    /// Zero crossings of the interpolating sinc on each side: 8 keeps ripple and aliasing well
    /// below what the recognizer notices, at 16 (upsampling) to ~44 (48 to 16 kHz) taps a sample.
    static let sincZeroCrossings = 8.0

    /// The same sound at `rate` Hz, by band-limited interpolation: each output sample is the input
    /// convolved with a Hann-windowed sinc centred on its instant. Going down, the sinc is widened
    /// to the new Nyquist frequency, so what lies above it is filtered out instead of folding
    /// back as noise (which costs pocketsphinx words).
    public func resampled(to rate: Int) -> WAVFile {
        guard rate != sampleRate, rate > 0, !samples.isEmpty else { return WAVFile(sampleRate: max(rate, 1), samples: samples) }
        let step = Double(sampleRate) / Double(rate)          // input samples per output sample
        let cutoff = min(1, 1 / step)                          // of the input's Nyquist frequency
        let halfWidth = Self.sincZeroCrossings / cutoff        // in input samples
        let count = Int((Double(samples.count) / step).rounded(.down))
        let out = samples.withUnsafeBufferPointer { input in
            (0..<count).map { index -> Int16 in
                let centre = Double(index) * step
                let first = max(0, Int((centre - halfWidth).rounded(.up))), last = min(input.count - 1, Int(centre + halfWidth))
                var sum = 0.0
                for k in stride(from: first, through: last, by: 1) {
                    let distance = centre - Double(k), x = Double.pi * cutoff * distance
                    let sinc = x == 0 ? 1 : sin(x) / x
                    let window = 0.5 * (1 + cos(Double.pi * distance / halfWidth))
                    sum += Double(input[k]) * cutoff * sinc * window
                }
                return Int16(max(-32768, min(32767, sum.rounded())))
            }
        }
        return WAVFile(sampleRate: rate, samples: out)
    }
}
