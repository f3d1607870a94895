/// The EXIF Orientation tag (0x0112) of a JPEG: how the stored pixels must be turned to be
/// viewed upright. Parsed here from the APP1 segment, within its declared bounds only.
public enum ExifOrientation: Int, Sendable, Equatable, CaseIterable {
    case up = 1, upMirrored = 2, down = 3, downMirrored = 4
    case leftMirrored = 5, right = 6, rightMirrored = 7, left = 8

    /// The JPEG's orientation, or `.up` when it has none or the EXIF data is malformed (a bad
    /// EXIF block must not make an otherwise good photo unreadable).
    public static func read(jpeg bytes: [UInt8]) -> ExifOrientation {
        guard let exif = exifPayload(bytes) else { return .up }
        return orientation(tiff: exif) ?? .up
    }

    /// The TIFF data inside the first APP1 "Exif\0\0" segment, walking markers from SOI until
    /// start of scan; nil when absent.
    static func exifPayload(_ bytes: [UInt8]) -> ArraySlice<UInt8>? {
        var offset = 2  // past SOI
        let exifHeader: [UInt8] = Array("Exif".utf8) + [0, 0]
        while offset + 4 <= bytes.count {
            guard bytes[offset] == 0xFF else { return nil }
            let marker = bytes[offset + 1]
            if marker == 0xFF { offset += 1; continue }  // fill byte
            // SOS (DA) or EOI (D9): no more metadata segments before entropy-coded data.
            if marker == 0xDA || marker == 0xD9 { return nil }
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard length >= 2, offset + 2 + length <= bytes.count else { return nil }
            let body = bytes[(offset + 4)..<(offset + 2 + length)]
            if marker == 0xE1, body.starts(with: exifHeader) {
                return body.dropFirst(exifHeader.count)
            }
            offset += 2 + length
        }
        return nil
    }

    /// The orientation entry of IFD0 in a TIFF block ("II" little- or "MM" big-endian).
    static func orientation(tiff: ArraySlice<UInt8>) -> ExifOrientation? {
        let data = Array(tiff)
        guard data.count >= 8 else { return nil }
        let little: Bool
        switch (data[0], data[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return nil
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= data.count else { return nil }
            return little ? Int(data[at]) | Int(data[at + 1]) << 8 : Int(data[at]) << 8 | Int(data[at + 1])
        }
        func u32(_ at: Int) -> Int? {
            guard let a = u16(at), let b = u16(at + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }
        guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else { return nil }
        let entrySize = 12
        /// Tag 0x0112, type SHORT (3): value in the entry's first two value bytes.
        let orientationTag = 0x0112
        for index in 0..<count {
            let entry = ifd + 2 + index * entrySize
            guard let tag = u16(entry) else { return nil }
            if tag == orientationTag {
                guard u16(entry + 2) == 3, let value = u16(entry + 8) else { return nil }
                return ExifOrientation(rawValue: value)
            }
        }
        return nil
    }
}
