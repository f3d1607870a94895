/// The encoded formats we decode, recognized by their magic bytes (never by a name or a MIME type
/// a sender claims).
public enum ImageFormat: String, Sendable, Equatable, CaseIterable {
    case jpeg = "JPEG"
    case png = "PNG"
    case webp = "WebP"

    /// JPEG: SOI marker FF D8 then the next marker's FF.
    private static let jpegMagic: [UInt8] = [0xFF, 0xD8, 0xFF]
    /// PNG: the fixed 8-byte signature (PNG spec section 5.2).
    private static let pngMagic: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    /// WebP: a RIFF container ("RIFF", 4-byte size, "WEBP").
    private static let riffMagic: [UInt8] = Array("RIFF".utf8)
    private static let webpMagic: [UInt8] = Array("WEBP".utf8)

    /// The format the bytes start with, or a typed error naming what they look like instead.
    public static func sniff(_ bytes: [UInt8]) throws(ImagingError) -> ImageFormat {
        if bytes.starts(with: jpegMagic) { return .jpeg }
        if bytes.starts(with: pngMagic) { return .png }
        if bytes.starts(with: riffMagic), bytes.count >= 12, Array(bytes[8..<12]) == webpMagic { return .webp }
        if bytes.isEmpty { throw .unrecognizedFormat("empty data") }
        if bytes.starts(with: Array("GIF8".utf8)) { throw .unrecognizedFormat("GIF") }
        let head = bytes.prefix(8).map { String($0, radix: 16) }.joined(separator: " ")
        throw .unrecognizedFormat("first bytes \(head)")
    }
}
