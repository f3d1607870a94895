import Shopping

/// A product's picture drawn from its catalogue record: an SVG with the colour as background,
/// the category and the title. The web page shows it in place of the catalogue's image, which is
/// a remote URL (the generated world's point nowhere) that the page's Content-Security-Policy does
/// not load: a remote image would also tell its host who looked at which product.
/// The same product always gives the same bytes.
enum ProductPicture {
    /// Square side in SVG units; the page scales it.
    static let side = 320
    /// Title characters per line and lines shown (longer titles end with "…").
    static let lineLength = 18
    static let maxLines = 3

    /// Swatches for the generated world's colour words (WorldVocabulary); other colours get one
    /// from `fallbackSwatches`, picked by a stable hash of the word.
    static let swatches: [String: String] = [
        "white": "#f4f4f1", "black": "#2b2b2e", "grey": "#9a9aa1", "oat": "#d9ccb0", "terracotta": "#c8693f", "mustard": "#d9a62e",
        "rust": "#a4471f", "sage": "#a3b18a", "neon green": "#7be35a", "red": "#c9302c", "camo": "#6b6f3a", "navy": "#23305a",
        "camel": "#c19a6b", "ivory": "#f2ecd9", "burgundy": "#7a1f33", "electric blue": "#2a6df4", "lime": "#b7e04a",
        "charcoal": "#3c3f44", "faded blue": "#7d9cc0", "cream": "#efe3c6", "olive": "#7a7a3a", "brown": "#7b5434", "gold": "#d4af37",
        "rose gold": "#d9a08b", "emerald": "#1f8a5b", "crimson": "#b3122e", "forest green": "#2f5d3a", "khaki": "#b9ab7a",
        "orange": "#e8792b", "slate": "#5b6773",
    ]
    static let fallbackSwatches = ["#6d5dfc", "#2f9e8f", "#d16d8a", "#c28b2c", "#4a7fb5", "#7f8c3a"]

    static func svg(for product: Product) -> String {
        let colour = product.colour?.lowercased() ?? ""
        let background = swatches[colour] ?? fallbackSwatches[Int(stableHash(colour.isEmpty ? product.id : colour) % UInt64(fallbackSwatches.count))]
        let ink = isLight(background) ? "#1d1d1f" : "#ffffff"
        let lines = wrapped(product.title)
        let firstLine = side / 2 - (lines.count - 1) * 14
        let title = lines.enumerated().map { number, line in
            "<text x=\"160\" y=\"\(firstLine + number * 28)\" font-size=\"22\" font-weight=\"600\" text-anchor=\"middle\">\(HTML.escaped(line))</text>"
        }.joined()
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(side)" height="\(side)" viewBox="0 0 \(side) \(side)" role="img" \
            aria-label="\(HTML.escaped(product.title))">\
            <rect width="\(side)" height="\(side)" fill="\(background)"/>\
            <g fill="\(ink)" font-family="system-ui, sans-serif">\
            <text x="160" y="54" font-size="16" letter-spacing="3" text-anchor="middle">\(HTML.escaped(product.category.rawValue.uppercased()))</text>\
            \(title)\
            <text x="160" y="286" font-size="15" text-anchor="middle">\(HTML.escaped(product.colour ?? ""))</text>\
            </g></svg>
            """
    }

    /// The title in lines of at most `lineLength` characters, broken at spaces.
    static func wrapped(_ title: String) -> [String] {
        var lines: [String] = [], current = ""
        for word in title.split(separator: " ") {
            let candidate = current.isEmpty ? String(word) : current + " " + word
            if candidate.count <= lineLength || current.isEmpty { current = candidate; continue }
            lines.append(current)
            current = String(word)
        }
        if !current.isEmpty { lines.append(current) }
        lines = lines.map { $0.count > lineLength ? String($0.prefix(lineLength - 1)) + "…" : $0 }
        guard lines.count > maxLines else { return lines }
        return Array(lines.prefix(maxLines - 1)) + [String(lines[maxLines - 1].prefix(lineLength - 1)) + "…"]
    }

    /// FNV-1a 64: the same on every run and machine (Swift's `Hasher` is seeded per process).
    static func stableHash(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
    }

    /// Whether dark text reads better on `hex` (#rrggbb): Rec. 601 luma above the middle.
    static func isLight(_ hex: String) -> Bool {
        guard let value = UInt32(hex.dropFirst(), radix: 16) else { return true }
        let r = Double(value >> 16 & 0xff), g = Double(value >> 8 & 0xff), b = Double(value & 0xff)
        return 0.299 * r + 0.587 * g + 0.114 * b > 150
    }
}
