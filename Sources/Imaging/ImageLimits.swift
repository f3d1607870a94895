/// Bounds checked before any pixel is decoded: the encoded size first, then the header's
/// dimensions. A hostile file (a tiny PNG announcing 100,000 x 100,000) fails here cheaply.
public struct ImageLimits: Sendable, Equatable {
    public var maxBytes: Int
    public var maxPixels: Int
    public var maxDimension: Int

    public init(maxBytes: Int, maxPixels: Int, maxDimension: Int) {
        self.maxBytes = maxBytes
        self.maxPixels = maxPixels
        self.maxDimension = maxDimension
    }

    /// 20 MiB covers a full-quality 48-megapixel phone JPEG; 50 megapixels of RGB is 150 MB in
    /// memory, the most one request may cost; 16,384 is WebP's own maximum side.
    public static let standard = ImageLimits(maxBytes: 20 << 20, maxPixels: 50_000_000, maxDimension: 16_384)

    func checkBytes(_ count: Int) throws(ImagingError) {
        if count > maxBytes { throw .tooManyBytes(size: count, limit: maxBytes) }
    }

    func checkDimensions(width: Int, height: Int) throws(ImagingError) {
        if width <= 0 || height <= 0 {
            throw .tooLarge(width: width, height: height, reason: "a side is zero")
        }
        if width > maxDimension || height > maxDimension {
            throw .tooLarge(width: width, height: height, reason: "a side is over \(maxDimension) pixels")
        }
        if width * height > maxPixels {
            throw .tooLarge(width: width, height: height, reason: "over \(maxPixels) pixels")
        }
    }
}
