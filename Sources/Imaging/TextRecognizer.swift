import CTesseract
import Foundation

/// A rectangle in image pixels, origin top-left.
public struct PixelBox: Sendable, Equatable, Codable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The smallest box holding both.
    public func union(_ other: PixelBox) -> PixelBox {
        let left = min(x, other.x), top = min(y, other.y)
        let right = max(x + width, other.x + other.width), bottom = max(y + height, other.y + other.height)
        return PixelBox(x: left, y: top, width: right - left, height: bottom - top)
    }
}

/// One word Tesseract read, with where it is and how sure it is.
public struct RecognizedWord: Sendable, Equatable, Codable {
    public let text: String
    /// Tesseract's confidence, 0...100.
    public let confidence: Double
    public let box: PixelBox
    /// Index of the text block and of the line (across the page) the word belongs to.
    public let block: Int
    public let line: Int

    public init(text: String, confidence: Double, box: PixelBox, block: Int, line: Int) {
        self.text = text
        self.confidence = confidence
        self.box = box
        self.block = block
        self.line = line
    }
}

/// What OCR read on an image: words in reading order, grouped into lines on demand.
public struct RecognizedText: Sendable, Equatable, Codable {
    public let words: [RecognizedWord]

    public init(words: [RecognizedWord]) {
        self.words = words
    }

    /// One line of text with the box around its words and their mean confidence.
    public struct Line: Sendable, Equatable, Codable {
        public let text: String
        public let box: PixelBox
        public let confidence: Double
        public let block: Int
    }

    public var lines: [Line] {
        var result: [Line] = []
        var index = 0
        while index < words.count {
            let line = words[index].line
            var end = index
            while end < words.count && words[end].line == line { end += 1 }
            let group = words[index..<end]
            let box = group.dropFirst().reduce(group[index].box) { $0.union($1.box) }
            let confidence = group.map(\.confidence).reduce(0, +) / Double(group.count)
            result.append(Line(text: group.map(\.text).joined(separator: " "), box: box,
                               confidence: confidence, block: group[index].block))
            index = end
        }
        return result
    }

    /// All lines joined by newlines.
    public var text: String { lines.map(\.text).joined(separator: "\n") }
}

/// Tesseract OCR (the Debian package's English LSTM model) over `RGBImage`s.
///
/// A `TessBaseAPI` is not thread-safe and takes a moment to load its model, so engines are
/// pooled: each call takes one (or starts one), uses it alone, and puts it back.
public final class TextRecognizer: @unchecked Sendable {
    /// How Tesseract segments the page (the C API's `TessPageSegMode`).
    public enum Layout: Sendable {
        /// Fully automatic (PSM_AUTO): documents and labels.
        case automatic
        /// Find as much text as possible in no particular order (PSM_SPARSE_TEXT): photos.
        case sparse
    }

    public let language: String
    // `idle` is guarded by `lock` (the only mutable state).
    private let lock = NSLock()
    private var idle: [TesseractEngine] = []
    /// Engines kept between calls; more calls at once start more and drop the extras afterwards.
    private let maxIdle: Int

    /// Loads nothing yet; the first call starts an engine, failing with `.ocrFailed` when the
    /// language model is not installed (`tesseract-ocr-eng`, scripts/setup.sh).
    public init(language: String = "eng", maxIdle: Int = 2) {
        self.language = language
        self.maxIdle = maxIdle
    }

    public func recognize(_ image: RGBImage, layout: Layout = .automatic) throws(ImagingError) -> RecognizedText {
        let pooled = lock.withLock { idle.popLast() }
        let engine: TesseractEngine
        if let pooled { engine = pooled } else { engine = try TesseractEngine(language: language) }
        let words = try engine.recognize(image, layout: layout)
        lock.withLock {
            if idle.count < maxIdle { idle.append(engine) }
        }
        return RecognizedText(words: words)
    }
}

/// One TessBaseAPI handle, owned by one caller at a time (the pool guarantees it).
private final class TesseractEngine: @unchecked Sendable {
    private let handle: OpaquePointer

    /// Tesseract assumes 70 dpi and warns when an image has none; screen and phone images have no
    /// meaningful dpi, and 300 is what its models were trained around.
    private static let sourceResolution: Int32 = 300

    init(language: String) throws(ImagingError) {
        guard let handle = TessBaseAPICreate() else { throw .ocrFailed("could not create a Tesseract engine") }
        // Tesseract writes diagnostics to stderr unless told where else.
        _ = TessBaseAPISetVariable(handle, "debug_file", "/dev/null")
        if TessBaseAPIInit3(handle, nil, language) != 0 {
            TessBaseAPIDelete(handle)
            throw .ocrFailed("Tesseract could not load the '\(language)' model (is tesseract-ocr-\(language) installed?)")
        }
        self.handle = handle
    }

    deinit {
        TessBaseAPIEnd(handle)
        TessBaseAPIDelete(handle)
    }

    func recognize(_ image: RGBImage, layout: TextRecognizer.Layout) throws(ImagingError) -> [RecognizedWord] {
        TessBaseAPISetPageSegMode(handle, layout == .sparse ? PSM_SPARSE_TEXT : PSM_AUTO)
        defer { TessBaseAPIClear(handle) }
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            // SetImage copies the pixels into its own Pix, so the buffer need not outlive the call.
            TessBaseAPISetImage(handle, pixels.baseAddress, Int32(image.width), Int32(image.height), 3, Int32(image.width * 3))
            TessBaseAPISetSourceResolution(handle, Self.sourceResolution)
            return TessBaseAPIRecognize(handle, nil)
        }
        if status != 0 { throw .ocrFailed("Tesseract could not recognize the image (status \(status))") }
        guard let iterator = TessBaseAPIGetIterator(handle) else { return [] }
        defer { TessResultIteratorDelete(iterator) }
        let page = TessResultIteratorGetPageIterator(iterator)
        var words: [RecognizedWord] = []
        var block = -1, line = -1
        repeat {
            if TessPageIteratorIsAtBeginningOf(page, RIL_BLOCK) != 0 { block += 1 }
            if TessPageIteratorIsAtBeginningOf(page, RIL_TEXTLINE) != 0 { line += 1 }
            guard let cText = TessResultIteratorGetUTF8Text(iterator, RIL_WORD) else { continue }
            let text = String(cString: cText)
            TessDeleteText(cText)
            var left: Int32 = 0, top: Int32 = 0, right: Int32 = 0, bottom: Int32 = 0
            guard TessPageIteratorBoundingBox(page, RIL_WORD, &left, &top, &right, &bottom) != 0,
                  text.contains(where: { !$0.isWhitespace }) else { continue }
            let box = PixelBox(x: Int(left), y: Int(top), width: Int(right - left), height: Int(bottom - top))
            words.append(RecognizedWord(text: text, confidence: Double(TessResultIteratorConfidence(iterator, RIL_WORD)),
                                        box: box, block: max(block, 0), line: max(line, 0)))
        } while TessResultIteratorNext(iterator, RIL_WORD) != 0
        return words
    }
}
