/// Why an image could not be read or processed. Every case carries enough to tell the sender
/// what was wrong with the file they sent.
public enum ImagingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes start like no format we decode (JPEG, PNG, WebP).
    case unrecognizedFormat(String)
    /// The encoded file is larger than the limit, before any decoding.
    case tooManyBytes(size: Int, limit: Int)
    /// The header announces dimensions over a limit; nothing was decoded.
    case tooLarge(width: Int, height: Int, reason: String)
    /// The codec rejected the data: corrupt, truncated or malformed.
    case corrupt(format: ImageFormat, message: String)
    /// A valid file using something we refuse (animation, excessive progressive scans).
    case unsupported(format: ImageFormat, message: String)
    /// A processing step got arguments outside the image (a crop off the edge, a zero size).
    case invalidGeometry(String)
    /// The OCR engine could not start or failed on the image.
    case ocrFailed(String)

    public var description: String {
        switch self {
        case let .unrecognizedFormat(what):
            return "unrecognized image format (\(what)); JPEG, PNG and WebP are accepted"
        case let .tooManyBytes(size, limit):
            return "image is \(size) bytes, over the limit of \(limit) bytes"
        case let .tooLarge(width, height, reason):
            return "image is \(width)x\(height) pixels: \(reason)"
        case let .corrupt(format, message):
            return "corrupt \(format.rawValue) image: \(message)"
        case let .unsupported(format, message):
            return "unsupported \(format.rawValue) image: \(message)"
        case let .invalidGeometry(message):
            return "invalid image geometry: \(message)"
        case let .ocrFailed(message):
            return "OCR failed: \(message)"
        }
    }
}
