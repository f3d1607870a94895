import Imaging
import Testing

/// The 6x4 pattern of scripts/render_image_fixtures.py: R = 40x, G = 30y, B = 200 - 10(x+y).
private func patternPixel(x: Int, y: Int) -> [UInt8] {
    [UInt8(40 * x), UInt8(30 * y), UInt8(200 - 10 * (x + y))]
}

private func pixel(_ image: RGBImage, _ x: Int, _ y: Int) -> [UInt8] {
    let base = (y * image.width + x) * 3
    return Array(image.pixels[base..<(base + 3)])
}

/// JPEG at quality 95 without chroma subsampling moves a flat colour by a few levels at most.
private let jpegTolerance = 6

/// Whether every channel of the pixel is within the JPEG tolerance of the expected colour.
private func near(_ actual: [UInt8], _ expected: [UInt8], tolerance: Int = jpegTolerance) -> Bool {
    zip(actual, expected).allSatisfy { abs(Int($0) - Int($1)) <= tolerance }
}

/// The quadrants fixture, upright: red top-left, green top-right, blue bottom-left, white bottom-right.
private let red: [UInt8] = [255, 0, 0], green: [UInt8] = [0, 255, 0]
private let blue: [UInt8] = [0, 0, 255], white: [UInt8] = [255, 255, 255]

/// Checks the centre of each quadrant of an upright 32x16 quadrants image.
private func expectUprightQuadrants(_ image: RGBImage) {
    #expect(image.width == 32 && image.height == 16)
    #expect(near(pixel(image, 8, 4), red))
    #expect(near(pixel(image, 24, 4), green))
    #expect(near(pixel(image, 8, 12), blue))
    #expect(near(pixel(image, 24, 12), white))
}

@Suite struct ImageDecoderTests {
    let decoder = ImageDecoder()

    @Test(arguments: ["pattern.png", "pattern.webp"])
    func losslessFormatsDecodeExactly(name: String) throws {
        let image = try decoder.decode(try FixtureFiles.bytes(name))
        #expect(image.width == 6 && image.height == 4)
        for y in 0..<4 {
            for x in 0..<6 { #expect(pixel(image, x, y) == patternPixel(x: x, y: y)) }
        }
    }

    @Test(arguments: ["pattern.jpg", "progressive.jpg", "cmyk.jpg"])
    func jpegVariantsDecodeToTheirColours(name: String) throws {
        expectUprightQuadrants(try decoder.decode(try FixtureFiles.bytes(name)))
    }

    @Test func grayscaleIsExpandedToThreeEqualChannels() throws {
        let png = try decoder.decode(try FixtureFiles.bytes("pattern-gray.png"))
        for y in 0..<4 {
            for x in 0..<6 {
                let p = patternPixel(x: x, y: y).map(Double.init)
                // Pillow's L conversion: ITU-R 601-2 luma, L = R*299/1000 + G*587/1000 + B*114/1000.
                let luma = UInt8((p[0] * 299 + p[1] * 587 + p[2] * 114) / 1000)
                #expect(near(pixel(png, x, y), [luma, luma, luma], tolerance: 1))
            }
        }
        let jpeg = try decoder.decode(try FixtureFiles.bytes("gray.jpg"))
        let topLeft = pixel(jpeg, 8, 4)
        #expect(topLeft[0] == topLeft[1] && topLeft[1] == topLeft[2])
        // Red's luma: 255 * 0.299 = 76.
        #expect(near(topLeft, [76, 76, 76]))
    }

    /// Opaque red stays red; blue at alpha 128 over white: (0*128 + 255*127)/255 = 127 for R and G.
    @Test(arguments: ["alpha.png", "alpha.webp"])
    func alphaIsCompositedOverWhite(name: String) throws {
        let image = try decoder.decode(try FixtureFiles.bytes(name))
        #expect(image.width == 2 && image.height == 1)
        #expect(pixel(image, 0, 0) == [255, 0, 0])
        #expect(pixel(image, 1, 0) == [127, 127, 255])
    }

    @Test(arguments: ["orientation-6.jpg", "orientation-3.jpg"])
    func exifOrientationTurnsTheImageUpright(name: String) throws {
        let bytes = try FixtureFiles.bytes(name)
        let header = try decoder.header(bytes)
        #expect(header.format == .jpeg)
        expectUprightQuadrants(try decoder.decode(bytes))
    }

    @Test func headerReadsDimensionsWithoutPixels() throws {
        let header = try decoder.header(try FixtureFiles.bytes("orientation-6.jpg"))
        // Stored sideways: 16 wide, 32 high before orientation.
        #expect(header == ImageDecoder.Header(format: .jpeg, width: 16, height: 32))
        #expect(try decoder.header(try FixtureFiles.bytes("pattern.webp")).format == .webp)
    }
}
