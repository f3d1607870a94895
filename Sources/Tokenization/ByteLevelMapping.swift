/// GPT-2's reversible byte <-> Unicode mapping: every byte becomes a printable scalar so BPE vocabularies
/// can be stored as text. Printable Latin-1 bytes map to themselves; the rest (controls, space, 0x7F-0xA0,
/// soft hyphen) are shifted to U+0100 and up, in byte order.
enum ByteLevelMapping {
    /// First scalar used for the shifted, non-printable bytes (GPT-2's `bytes_to_unicode`).
    private static let shiftedBase: UInt32 = 256

    /// [256] byte -> scalar.
    static let scalarForByte: [Unicode.Scalar] = {
        var result = [Unicode.Scalar](repeating: " ", count: 256)
        var shifted: UInt32 = 0
        for byte in 0..<256 {
            let keepsItself = (33...126).contains(byte) || (161...172).contains(byte) || (174...255).contains(byte)
            let value = keepsItself ? UInt32(byte) : shiftedBase + shifted
            if !keepsItself { shifted += 1 }
            result[byte] = Unicode.Scalar(value) ?? " "
        }
        return result
    }()

    /// Inverse of `scalarForByte`, indexed by scalar value (all mapped scalars are below U+0144); -1: unmapped.
    private static let byteForScalar: [Int16] = {
        var result = [Int16](repeating: -1, count: Int(shiftedBase) + 256)
        for (byte, scalar) in scalarForByte.enumerated() { result[Int(scalar.value)] = Int16(byte) }
        return result
    }()

    /// The vocabulary spelling of one raw byte.
    static func text(forByte byte: UInt8) -> String {
        String(Character(scalarForByte[Int(byte)]))
    }

    /// Raw bytes of a byte-level vocabulary entry; scalars outside the mapping keep their UTF-8 bytes.
    static func bytes(ofTokenText text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            let value = Int(scalar.value)
            if value < byteForScalar.count, byteForScalar[value] >= 0 {
                bytes.append(UInt8(byteForScalar[value]))
            } else {
                bytes.append(contentsOf: String(scalar).utf8)
            }
        }
        return bytes
    }
}
