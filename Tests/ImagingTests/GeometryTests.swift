import Imaging
import Testing

/// A 3x2 image whose pixel (x, y) is [10x + y, 0, 0]: every position readable from its value.
private func numbered(width: Int = 3, height: Int = 2) -> RGBImage? {
    var pixels: [UInt8] = []
    for y in 0..<height {
        for x in 0..<width { pixels += [UInt8(10 * x + y), 0, 0] }
    }
    return RGBImage(width: width, height: height, pixels: pixels)
}

/// The red channel, row by row.
private func reds(_ image: RGBImage) -> [[UInt8]] {
    (0..<image.height).map { y in (0..<image.width).map { x in image.pixels[(y * image.width + x) * 3] } }
}

/// Big-endian ("MM") EXIF with one IFD entry: orientation = value.
private func jpegWithBigEndianExif(orientation value: UInt8) -> [UInt8] {
    let tiff: [UInt8] = [0x4D, 0x4D, 0, 42, 0, 0, 0, 8,  // header, IFD0 at offset 8
                         0, 1,  // one entry
                         0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, value, 0, 0,  // tag 0x0112 SHORT x1
                         0, 0, 0, 0]  // no next IFD
    let body: [UInt8] = Array("Exif".utf8) + [0, 0] + tiff
    let length = body.count + 2
    return [0xFF, 0xD8, 0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + body + [0xFF, 0xD9]
}

@Suite struct GeometryTests {
    /// Stored [[0,10,20],[1,11,21]]; each orientation's upright view, per EXIF 2.32's diagrams.
    @Test func everyOrientationMapsPixelsAsExifDefines() throws {
        let image = try #require(numbered())
        let expected: [ExifOrientation: [[UInt8]]] = [
            .up: [[0, 10, 20], [1, 11, 21]],
            .upMirrored: [[20, 10, 0], [21, 11, 1]],
            .down: [[21, 11, 1], [20, 10, 0]],
            .downMirrored: [[1, 11, 21], [0, 10, 20]],
            .leftMirrored: [[0, 1], [10, 11], [20, 21]],
            .right: [[1, 0], [11, 10], [21, 20]],
            .rightMirrored: [[21, 20], [11, 10], [1, 0]],
            .left: [[20, 21], [10, 11], [0, 1]],
        ]
        for orientation in ExifOrientation.allCases {
            #expect(reds(image.oriented(orientation)) == expected[orientation], "\(orientation)")
        }
    }

    @Test func bigEndianExifIsRead() {
        for value in ExifOrientation.allCases {
            #expect(ExifOrientation.read(jpeg: jpegWithBigEndianExif(orientation: UInt8(value.rawValue))) == value)
        }
        #expect(ExifOrientation.read(jpeg: jpegWithBigEndianExif(orientation: 9)) == .up)
    }

    @Test func cropTakesTheRectangleAndRefusesTheOutside() throws {
        let image = try #require(numbered())
        #expect(reds(try image.cropped(x: 1, y: 0, width: 2, height: 2)) == [[10, 20], [11, 21]])
        #expect(throws: ImagingError.self) { try image.cropped(x: 2, y: 0, width: 2, height: 1) }
        #expect(throws: ImagingError.self) { try image.cropped(x: 0, y: 0, width: 0, height: 1) }
    }

    @Test func areaShrinkAveragesTheCoveredPixels() throws {
        // 4x2 -> 2x1: each output is the mean of a 2x2 block.
        let source = try #require(numbered(width: 4, height: 2))
        let out = try source.resized(width: 2, height: 1, filter: .area)
        // (0 + 1 + 10 + 11) / 4 = 5.5 -> 6; (20 + 21 + 30 + 31) / 4 = 25.5 -> 26.
        #expect(reds(out) == [[6, 26]])
        // 3 -> 2 columns: output 0 covers source 0 fully and half of 1: (0 + 0.5*10)/1.5 = 3.33 on row 0.
        let thirds = try #require(numbered(width: 3, height: 1))
        #expect(reds(try thirds.resized(width: 2, height: 1, filter: .area)) == [[3, 17]])
    }

    @Test func bilinearInterpolatesBetweenCentres() throws {
        // 2x1 [0, 10] -> 4x1: centres at -0.25 (clamped 0), 0.25, 0.75, 1.25 (clamped to the edge).
        let source = try #require(numbered(width: 2, height: 1))
        #expect(reds(try source.resized(width: 4, height: 1, filter: .bilinear)) == [[0, 3, 8, 10]])
        #expect(throws: ImagingError.self) { try source.resized(width: 0, height: 1, filter: .bilinear) }
    }
}
