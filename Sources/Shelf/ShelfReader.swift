import Imaging
import Nutrition

/// One product found on a shelf photo: where, what was read, what it was matched to, its score.
public struct ShelfProduct: Sendable {
    /// How the product was identified.
    public enum Evidence: String, Sendable, Codable {
        /// A valid EAN-13 read on the pack and found in the catalogue.
        case barcode
        /// Brand and name read on the pack, fuzzily matched against the catalogue.
        case nameMatch = "name_match"
        /// Text was read but matched nothing well enough.
        case unidentified
    }

    /// The box around the text read on the pack (not the pack's outline).
    public let box: PixelBox
    public let textRead: String
    public let evidence: Evidence
    public let product: CatalogProduct?
    /// 1 for a barcode; the fuzzy score (0...1) for a name match.
    public let matchConfidence: Double
    /// The runner-up's score, so a close call shows as uncertain.
    public let runnerUp: (barcode: String, confidence: Double)?
    public let assessment: ProductAssessment?
}

/// Photo → OCR → products (regions of text) → catalogue match → Nutri-Score → ranking.
public struct ShelfReader: Sendable {
    public var catalogue: [CatalogProduct] { index.products }
    let index: CatalogIndex
    let recognizer: TextRecognizer

    /// Tesseract confidence below which a word is noise for grouping and matching.
    static let minimumWordConfidence = 40.0
    /// Text columns closer than this fraction of the photo's width belong to one pack: packs
    /// stand apart by more, words on one pack by less (measured on the generated set: word gaps
    /// within a pack stay under 1%, gaps between packs exceed 3%).
    static let packGapFraction = 0.02
    /// The least fuzzy score accepted as an identification (a brand and a name with a misread
    /// letter or two score above 0.8; another product of the same brand scores near 0.5).
    static let minimumMatchScore = 0.65

    public init(catalogue: [CatalogProduct], recognizer: TextRecognizer = TextRecognizer()) {
        self.init(index: CatalogIndex(catalogue), recognizer: recognizer)
    }

    /// With the catalogue already indexed (`ProductCatalog.index()` keeps one between requests).
    public init(index: CatalogIndex, recognizer: TextRecognizer = TextRecognizer()) {
        self.index = index
        self.recognizer = recognizer
    }

    /// The products on the photo, left to right.
    public func products(on photo: RGBImage) throws(ShelfError) -> [ShelfProduct] {
        let text: RecognizedText
        do { text = try recognizer.recognize(photo, layout: .sparse) } catch { throw .unreadablePhoto("\(error)") }
        return products(reading: text, photoWidth: photo.width)
    }

    /// The products in text already read from a photo (OCR in the sparse layout), left to right.
    public func products(reading text: RecognizedText, photoWidth: Int) -> [ShelfProduct] {
        let words = text.words.filter { $0.confidence >= Self.minimumWordConfidence }
        return Self.packRegions(words, photoWidth: photoWidth).compactMap(identify)
    }

    /// Groups words into packs standing side by side: columns of text separated by a gap.
    static func packRegions(_ words: [RecognizedWord], photoWidth: Int) -> [[RecognizedWord]] {
        let gap = Int(Double(photoWidth) * packGapFraction)
        var regions: [[RecognizedWord]] = []
        var right = 0
        for word in words.sorted(by: { $0.box.x < $1.box.x }) {
            if !regions.isEmpty && word.box.x <= right + gap {
                regions[regions.count - 1].append(word)
                right = max(right, word.box.x + word.box.width)
            } else {
                regions.append([word])
                right = word.box.x + word.box.width
            }
        }
        return regions
    }

    func identify(_ words: [RecognizedWord]) -> ShelfProduct? {
        // Reading order within the pack: top to bottom, then left to right.
        let ordered = words.sorted { ($0.box.y / 16, $0.box.x) < ($1.box.y / 16, $1.box.x) }
        let read = ordered.map(\.text).joined(separator: " ")
        let tokens = TextMatching.tokens(read)
        guard !tokens.isEmpty, let first = ordered.first else { return nil }
        let box = ordered.dropFirst().reduce(first.box) { $0.union($1.box) }
        let digits = ordered.map { $0.text.filter(\.isNumber) }.filter(CatalogProduct.isValidEAN13)
        if let code = digits.first, let product = catalogue.first(where: { $0.barcode == code }) {
            return ShelfProduct(box: box, textRead: read, evidence: .barcode, product: product, matchConfidence: 1,
                                runnerUp: nil, assessment: try? ProductAssessment(product.label))
        }
        let ranked = index.best(read: tokens, count: 2)
        guard let best = ranked.first, best.1 >= Self.minimumMatchScore else {
            return ShelfProduct(box: box, textRead: read, evidence: .unidentified, product: nil,
                                matchConfidence: ranked.first?.1 ?? 0, runnerUp: nil, assessment: nil)
        }
        let runnerUp = ranked.dropFirst().first.map { (barcode: $0.0.barcode, confidence: $0.1) }
        return ShelfProduct(box: box, textRead: read, evidence: .nameMatch, product: best.0, matchConfidence: best.1,
                            runnerUp: runnerUp, assessment: try? ProductAssessment(best.0.label))
    }

    /// Identified products, healthiest first (by `rankKey`); ties by name.
    public static func ranking(_ products: [ShelfProduct]) -> [ShelfProduct] {
        products.filter { $0.product != nil }.sorted { a, b in
            let x = a.assessment.map(rankKey) ?? .infinity
            let y = b.assessment.map(rankKey) ?? .infinity
            return x != y ? x < y : (a.product?.name ?? "") < (b.product?.name ?? "")
        }
    }

    /// Grade first, then points within the grade: categories grade the same points differently
    /// (4 points is a C for nuts, a B for a cereal), and the grade is what a shopper compares.
    /// With missing inputs, the best grade and score still possible.
    public static func rankKey(_ assessment: ProductAssessment) -> Double {
        let result = assessment.nutriScore
        let grade = NutriGrade.allCases.firstIndex(of: result.gradeRange.lowerBound) ?? NutriGrade.allCases.count
        /// Wider than any score range (general foods span -17...55), so grades never interleave.
        let pointsPerGrade = 1_000.0
        return Double(grade) * pointsPerGrade + Double(result.scoreRange.lowerBound)
    }
}
