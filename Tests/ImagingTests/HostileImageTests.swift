import Imaging
import Testing

/// Broken, truncated and hostile inputs: each is a typed error, never a crash or a hang.
@Suite struct HostileImageTests {
    let decoder = ImageDecoder()

    private func corruptFormat(_ bytes: [UInt8]) -> ImageFormat? {
        do {
            _ = try decoder.decode(bytes)
            return nil
        } catch {
            if case let .corrupt(format, message) = error, !message.isEmpty { return format }
            return nil
        }
    }

    @Test(arguments: ["pattern.jpg", "progressive.jpg", "pattern.png", "pattern.webp", "nutrition-label.png"])
    func truncatedFilesAreCorrupt(name: String) throws {
        let bytes = try FixtureFiles.bytes(name)
        let format = try ImageFormat.sniff(bytes)
        // Cut at 60%: past the header (so the limits pass), inside the pixel data.
        let truncated = Array(bytes.prefix(bytes.count * 6 / 10))
        #expect(corruptFormat(truncated) == format)
    }

    @Test func garbledJpegScanIsCorrupt() throws {
        var bytes = try FixtureFiles.bytes("pattern.jpg")
        // Flip bits in the entropy-coded data: after the SOS marker (FF DA) and its 12-byte
        // header for three components, up to the EOI marker.
        let sos = try #require((2..<(bytes.count - 1)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xDA })
        for i in (sos + 14)..<(bytes.count - 2) { bytes[i] ^= 0x55 }
        #expect(corruptFormat(bytes) == .jpeg)
    }

    @Test func pngWithABadChecksumIsCorrupt() throws {
        var bytes = try FixtureFiles.bytes("nutrition-label.png")
        bytes[bytes.count / 2] ^= 0x5A
        #expect(corruptFormat(bytes) == .png)
    }

    @Test func unknownFormatsAreRefusedByTheirBytes() {
        #expect(throws: ImagingError.unrecognizedFormat("empty data")) { try decoder.decode([]) }
        #expect(throws: ImagingError.unrecognizedFormat("GIF")) { try decoder.decode(Array("GIF89a....".utf8)) }
        #expect(throws: ImagingError.self) { try decoder.decode(Array("<html>not an image</html>".utf8)) }
        // RIFF but not WEBP (a WAV header).
        #expect(throws: ImagingError.self) { try decoder.decode(Array("RIFF\u{0}\u{0}\u{0}\u{0}WAVEfmt ".utf8)) }
    }

    @Test func headersAnnouncingHugeImagesFailBeforeDecoding() throws {
        #expect(throws: ImagingError.tooLarge(width: 100_000, height: 100_000, reason: "a side is over 16384 pixels")) {
            try decoder.decode(try FixtureFiles.bytes("huge-dimensions.png"))
        }
        #expect(throws: ImagingError.tooLarge(width: 60_000, height: 60_000, reason: "a side is over 16384 pixels")) {
            try decoder.decode(try FixtureFiles.bytes("huge-dimensions.jpg"))
        }
    }

    @Test func pixelAndByteLimitsAreEnforced() throws {
        let label = try FixtureFiles.bytes("nutrition-label.png")
        let fewPixels = ImageDecoder(limits: ImageLimits(maxBytes: 1 << 20, maxPixels: 1_000, maxDimension: 10_000))
        #expect(throws: ImagingError.self) { try fewPixels.decode(label) }
        let fewBytes = ImageDecoder(limits: ImageLimits(maxBytes: 100, maxPixels: 1 << 30, maxDimension: 10_000))
        #expect(throws: ImagingError.tooManyBytes(size: label.count, limit: 100)) { try fewBytes.decode(label) }
    }

    @Test func malformedExifIsIgnoredNotFatal() throws {
        // SOI, then an APP1 "Exif" segment whose IFD offset points far outside it, then the
        // rest of a valid JPEG: the photo still decodes, upright by default.
        let jpeg = try FixtureFiles.bytes("pattern.jpg")
        let tiff: [UInt8] = [0x49, 0x49, 42, 0, 0xFF, 0xFF, 0xFF, 0x7F]
        let body: [UInt8] = Array("Exif".utf8) + [0, 0] + tiff
        let length = body.count + 2
        let app1: [UInt8] = [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + body
        let bytes = Array(jpeg.prefix(2)) + app1 + Array(jpeg.dropFirst(2))
        #expect(ExifOrientation.read(jpeg: bytes) == .up)
        #expect(try decoder.decode(bytes).width == 32)
    }
}
