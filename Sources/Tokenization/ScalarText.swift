/// A piece of text as Unicode scalars with their character classes and UTF-8 offsets, so scanners can
/// work on scalars while the BPE works on the matching bytes.
struct ScalarText {
    /// Bit flags for the classes the pre-tokenizer patterns use.
    struct Classes: OptionSet {
        let rawValue: UInt8
        /// \p{L}: general categories Lu, Ll, Lt, Lm, Lo.
        static let letter = Classes(rawValue: 1)
        /// \p{N}: general categories Nd, Nl, No.
        static let number = Classes(rawValue: 2)
        /// \s: the Unicode White_Space property.
        static let whitespace = Classes(rawValue: 4)
    }

    /// [scalars] code point values.
    let values: [UInt32]
    /// [scalars] classes of each scalar.
    let classes: [Classes]
    /// [scalars + 1] UTF-8 offset where each scalar starts; the last entry is the byte count.
    let byteOffsets: [Int]

    init(_ text: Substring) {
        var values: [UInt32] = []
        var classes: [Classes] = []
        var offsets: [Int] = [0]
        values.reserveCapacity(text.utf8.count)
        classes.reserveCapacity(text.utf8.count)
        offsets.reserveCapacity(text.utf8.count + 1)
        var offset = 0
        for scalar in text.unicodeScalars {
            values.append(scalar.value)
            classes.append(Self.classify(scalar))
            offset += UTF8.width(scalar)
            offsets.append(offset)
        }
        self.values = values
        self.classes = classes
        self.byteOffsets = offsets
    }

    var count: Int { values.count }

    /// ASCII classes computed once; most text is ASCII and the property look-up is slower.
    private static let asciiClasses: [Classes] = (0..<128).map { value in
        guard let scalar = Unicode.Scalar(value) else { return [] }
        return classifyByProperties(scalar)
    }

    static func classify(_ scalar: Unicode.Scalar) -> Classes {
        scalar.value < 128 ? asciiClasses[Int(scalar.value)] : classifyByProperties(scalar)
    }

    private static func classifyByProperties(_ scalar: Unicode.Scalar) -> Classes {
        let properties = scalar.properties
        if properties.isWhitespace { return .whitespace }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return []
        }
    }
}
