/// A decoded image: 8-bit RGB, rows top to bottom, no padding between rows.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// [height][width][3] bytes, R G B.
    public let pixels: [UInt8]

    public init?(width: Int, height: Int, pixels: [UInt8]) {
        guard width > 0, height > 0, pixels.count == width * height * 3 else { return nil }
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}
