/// The catalogue prepared for fuzzy name matching: each product's words (brand and name) as
/// indices into one vocabulary, so a query compares its few words with each distinct catalogue
/// word once (USDA SR24's 7,900 names share about 5,000 words) instead of once per product.
public struct CatalogIndex: Sendable {
    public let products: [CatalogProduct]
    let vocabulary: [String]
    /// The vocabulary as characters, converted once rather than at every comparison.
    let vocabularyCharacters: [[Character]]
    /// Per product, its words as vocabulary indices, repeats kept (the score averages over them).
    let productWords: [[Int]]
    /// Per product, how many of its first words name the food itself: the brand and the name up to
    /// its first comma (SR24 names run from the food to its details: "Apples, raw, with skin").
    let headLengths: [Int]

    public init(_ products: [CatalogProduct]) {
        self.products = products
        var ids: [String: Int] = [:]
        var vocabulary: [String] = []
        productWords = products.map { product in
            TextMatching.tokens(Self.matchedText(product)).map { word in
                if let id = ids[word] { return id }
                vocabulary.append(word)
                ids[word] = vocabulary.count - 1
                return vocabulary.count - 1
            }
        }
        self.vocabulary = vocabulary
        vocabularyCharacters = vocabulary.map(Array.init)
        headLengths = products.map { product in
            let head = product.name.split(separator: ",", maxSplits: 1).first.map(String.init) ?? product.name
            return TextMatching.tokens([product.brand, head].compactMap { $0 }.joined(separator: " ")).count
        }
    }

    /// What a pack or a query is compared with: the brand and the name.
    static func matchedText(_ product: CatalogProduct) -> String {
        [product.brand, product.name].compactMap { $0 }.joined(separator: " ")
    }

    /// The `count` best products for the words read, best first (ties in catalogue order): the
    /// harmonic mean of how much of the product is found in the words read (each product word's
    /// best similarity to a read word) and how much of what was read the product explains.
    public func best(read: [String], count: Int) -> [(product: CatalogProduct, score: Double)] {
        let coverage = coverages(read)
        let scores = products.indices.map { Self.harmonicMean(coverage.recall[$0], coverage.precision[$0]) }
        return Self.top(count, of: scores, then: scores).map { (product: products[$0], score: scores[$0]) }
    }

    /// The best matches for a typed name ("apples raw"), at most `limit`. A typed name is short and
    /// omits a food's details, so it is scored on how much of it the product explains and how much
    /// of the product's head it covers ("Apples, raw, with skin" over "Rose-apples, raw"); ties go
    /// to the product that the name covers best as a whole.
    public func search(_ query: String, limit: Int) -> [(product: CatalogProduct, score: Double)] {
        let coverage = coverages(TextMatching.tokens(query))
        let scores = products.indices.map { Self.harmonicMean(coverage.headRecall[$0], coverage.precision[$0]) }
        let whole = products.indices.map { Self.harmonicMean(coverage.recall[$0], coverage.precision[$0]) }
        return Self.top(limit, of: scores, then: whole).map { (product: products[$0], score: scores[$0]) }
    }

    /// Indices of the `count` largest (score, then tie-break) pairs, largest first; equal pairs
    /// keep their order. One pass keeping a short sorted list: `count` is a handful, the catalogue
    /// thousands.
    private static func top(_ count: Int, of scores: [Double], then tieBreak: [Double]) -> [Int] {
        var kept: [Int] = []
        func better(_ a: Int, _ b: Int) -> Bool {
            scores[a] != scores[b] ? scores[a] > scores[b] : tieBreak[a] > tieBreak[b]
        }
        for index in scores.indices where count > 0 {
            if kept.count == count, let last = kept.last, !better(index, last) { continue }
            let position = kept.firstIndex { better(index, $0) } ?? kept.count
            kept.insert(index, at: position)
            if kept.count > count { kept.removeLast() }
        }
        return kept
    }

    private struct Coverages {
        var recall: [Double], headRecall: [Double], precision: [Double]
    }

    private func coverages(_ read: [String]) -> Coverages {
        var result = Coverages(recall: Array(repeating: 0, count: products.count),
                               headRecall: Array(repeating: 0, count: products.count),
                               precision: Array(repeating: 0, count: products.count))
        guard !read.isEmpty else { return result }
        let width = vocabulary.count
        // similarity[q * width + v]: read word q against vocabulary word v; found[v]: v's best.
        var similarity = [Double](repeating: 0, count: read.count * width)
        var found = [Double](repeating: 0, count: width)
        for (q, word) in read.map(Array.init).enumerated() {
            for v in 0..<width {
                let value = TextMatching.similarity(word, vocabularyCharacters[v])
                similarity[q * width + v] = value
                found[v] = max(found[v], value)
            }
        }
        for (p, words) in productWords.enumerated() where !words.isEmpty {
            let headLength = min(max(1, headLengths[p]), words.count)
            var total = 0.0, head = 0.0
            for (position, v) in words.enumerated() {
                total += found[v]
                if position < headLength { head += found[v] }
            }
            var explained = 0.0
            for q in read.indices {
                var best = 0.0
                for v in words { best = max(best, similarity[q * width + v]) }
                explained += best
            }
            result.recall[p] = total / Double(words.count)
            result.headRecall[p] = head / Double(headLength)
            result.precision[p] = explained / Double(read.count)
        }
        return result
    }

    private static func harmonicMean(_ a: Double, _ b: Double) -> Double {
        a + b == 0 ? 0 : 2 * a * b / (a + b)
    }
}
