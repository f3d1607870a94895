import CImageCodecs

/// Decodes JPEG, PNG and WebP bytes into an upright `RGBImage` with the system's codecs.
/// Order of checks: byte size, magic bytes, header dimensions against the limits, and only then
/// the pixels; JPEGs are turned upright by their EXIF orientation.
public struct ImageDecoder: Sendable {
    public let limits: ImageLimits

    public init(limits: ImageLimits = .standard) {
        self.limits = limits
    }

    /// What the header says, without decoding pixels (dimensions as stored, before orientation).
    public struct Header: Sendable, Equatable {
        public let format: ImageFormat
        public let width: Int
        public let height: Int

        public init(format: ImageFormat, width: Int, height: Int) {
            self.format = format
            self.width = width
            self.height = height
        }
    }

    /// Room for libjpeg's longest message (JMSG_LENGTH_MAX is 200) and libpng's (64).
    private static let messageCapacity = 256

    public func header(_ bytes: [UInt8]) throws(ImagingError) -> Header {
        try limits.checkBytes(bytes.count)
        let format = try ImageFormat.sniff(bytes)
        var info = muse_image_info()
        var message = [CChar](repeating: 0, count: Self.messageCapacity)
        let status = bytes.withUnsafeBufferPointer { data in
            message.withUnsafeMutableBufferPointer { text in
                switch format {
                case .jpeg: muse_jpeg_info(data.baseAddress, data.count, &info, text.baseAddress, text.count)
                case .png: muse_png_info(data.baseAddress, data.count, &info, text.baseAddress, text.count)
                case .webp: muse_webp_info(data.baseAddress, data.count, &info, text.baseAddress, text.count)
                }
            }
        }
        try Self.check(status, format: format, message: message)
        let header = Header(format: format, width: Int(info.width), height: Int(info.height))
        try limits.checkDimensions(width: header.width, height: header.height)
        return header
    }

    public func decode(_ bytes: [UInt8]) throws(ImagingError) -> RGBImage {
        let header = try header(bytes)
        var pixels = [UInt8](repeating: 0, count: header.width * header.height * 3)
        var message = [CChar](repeating: 0, count: Self.messageCapacity)
        let status = bytes.withUnsafeBufferPointer { data in
            pixels.withUnsafeMutableBufferPointer { out in
                message.withUnsafeMutableBufferPointer { text in
                    switch header.format {
                    case .jpeg:
                        muse_jpeg_decode_rgb(data.baseAddress, data.count, out.baseAddress, out.count, text.baseAddress, text.count)
                    case .png:
                        muse_png_decode_rgb(data.baseAddress, data.count, out.baseAddress, out.count, text.baseAddress, text.count)
                    case .webp:
                        muse_webp_decode_rgb(data.baseAddress, data.count, out.baseAddress, out.count, text.baseAddress, text.count)
                    }
                }
            }
        }
        try Self.check(status, format: header.format, message: message)
        guard let image = RGBImage(width: header.width, height: header.height, pixels: pixels) else {
            throw .corrupt(format: header.format, message: "decoded buffer does not match the header")
        }
        if header.format == .jpeg {
            return image.oriented(ExifOrientation.read(jpeg: bytes))
        }
        return image
    }

    private static func check(_ status: muse_codec_status, format: ImageFormat, message: [CChar]) throws(ImagingError) {
        let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        switch status {
        case MUSE_CODEC_OK: return
        case MUSE_CODEC_UNSUPPORTED: throw .unsupported(format: format, message: text)
        default: throw .corrupt(format: format, message: text.isEmpty ? "unreadable data" : text)
        }
    }
}
