import Imaging
import Testing

/// The label scripts/render_image_fixtures.py draws: one entry per line, DejaVu Sans 28 px,
/// left margin 28 px, lines 44 px apart.
private let labelLines = ["Nutrition Facts", "Energy 520 kcal", "Fat 31g", "Sugars 12.5g", "Salt 0.8g"]
private let labelMargin = 28
private let labelLineSpacing = 44
/// Glyph boxes start a few pixels off the drawing origin (side bearings, ascent above the caps).
private let boxTolerance = 12
/// A clean rendering reads with high confidence; below this something regressed.
private let minimumConfidence = 80.0

@Suite struct TextRecognizerTests {
    let recognizer = TextRecognizer()

    private func label() throws -> RGBImage {
        try ImageDecoder().decode(try FixtureFiles.bytes("nutrition-label.png"))
    }

    @Test func readsTheRenderedLabelExactly() throws {
        let text = try recognizer.recognize(try label())
        #expect(text.lines.map(\.text) == labelLines)
        #expect(text.words.count == labelLines.joined(separator: " ").split(separator: " ").count)
        #expect(text.words.allSatisfy { $0.confidence >= minimumConfidence })
    }

    @Test func wordBoxesSitWhereTheTextWasDrawn() throws {
        let lines = try recognizer.recognize(try label()).lines
        try #require(lines.count == labelLines.count)
        for (index, line) in lines.enumerated() {
            #expect(abs(line.box.x - labelMargin) <= boxTolerance, "line \(index) x \(line.box.x)")
            let expectedTop = labelMargin / 2 + index * labelLineSpacing
            #expect(abs(line.box.y - expectedTop) <= boxTolerance, "line \(index) y \(line.box.y)")
        }
        let energy = try #require(lines[1].text == "Energy 520 kcal" ? lines[1] : nil)
        #expect(energy.box.height < labelLineSpacing)
    }

    @Test func concurrentCallsGetTheirOwnEngines() async throws {
        let image = try label()
        let recognizer = self.recognizer
        let results = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<3 {
                group.addTask { try recognizer.recognize(image).lines.map(\.text) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results == Array(repeating: labelLines, count: 3))
    }

    @Test func aBlankImageReadsNothing() throws {
        let blank = try #require(RGBImage(width: 64, height: 32, pixels: [UInt8](repeating: 255, count: 64 * 32 * 3)))
        #expect(try recognizer.recognize(blank).words.isEmpty)
    }

    @Test func aMissingLanguageModelIsATypedError() {
        #expect(throws: ImagingError.self) {
            try TextRecognizer(language: "no-such-language").recognize(try label())
        }
    }
}
