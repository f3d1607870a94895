/// The catalogue prepared for fuzzy name matching: each product's words (brand and name) as
/// indices into one vocabulary, so a query compares its few words with each distinct catalogue
/// word once (USDA SR24's 7,900 names share about 5,000 words) instead of once per product.
public struct CatalogIndex: Sendable {
    public let products: [CatalogProduct]
    let vocabulary: [String]
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
        headLengths = products.map { product in
            let head = product.name.split(separator: ",", maxSplits: 1).first.map(String.init) ?? product.name
            return TextMatching.tokens([product.brand, head].compactMap { $0 }.joined(separator: " ")).count
        }
    }

    /// What a pack or a query is compared with: the brand and the name.
    static func matchedText(_ product: CatalogProduct) -> String {
        [product.brand, product.name].compactMap { $0 }.joined(separator: " ")
    }

    /// Every product with its score against the words read, best first: the harmonic mean of how
    /// much of the product is found in the words read (each product word's best similarity to a
    /// read word) and how much of what was read the product explains (the converse).
    public func ranked(read: [String]) -> [(product: CatalogProduct, score: Double)] {
        let scores = coverages(read).map { Self.harmonicMean($0.recall, $0.precision) }
        return zip(products, scores).map { (product: $0, score: $1) }.sorted { $0.score > $1.score }
    }

    /// The best matches for a typed name ("apples raw"), at most `limit`. A typed name is short and
    /// omits a food's details, so it is scored on how much of it the product explains and how much
    /// of the product's head it covers ("Apples, raw, with skin" over "Rose-apples, raw"); ties go
    /// to the product that the name covers best as a whole.
    public func search(_ query: String, limit: Int) -> [(product: CatalogProduct, score: Double)] {
        let scored = coverages(TextMatching.tokens(query)).map {
            (score: Self.harmonicMean($0.headRecall, $0.precision), whole: Self.harmonicMean($0.recall, $0.precision))
        }
        return zip(products, scored).sorted { a, b in
            a.1.score != b.1.score ? a.1.score > b.1.score : a.1.whole > b.1.whole
        }.prefix(limit).map { (product: $0.0, score: $0.1.score) }
    }

    private struct Coverage {
        var recall = 0.0, headRecall = 0.0, precision = 0.0
    }

    private func coverages(_ read: [String]) -> [Coverage] {
        guard !read.isEmpty else { return products.map { _ in Coverage() } }
        // similarity[q][v]: read word q against vocabulary word v.
        let similarity = read.map { word in vocabulary.map { TextMatching.similarity(word, $0) } }
        return zip(productWords, headLengths).map { words, headLength in
            guard !words.isEmpty else { return Coverage() }
            let found = words.map { v in similarity.map { $0[v] }.max() ?? 0 }
            let head = found.prefix(max(1, headLength))
            return Coverage(recall: found.reduce(0, +) / Double(words.count),
                            headRecall: head.reduce(0, +) / Double(head.count),
                            precision: similarity.map { row in words.map { row[$0] }.max() ?? 0 }.reduce(0, +) / Double(read.count))
        }
    }

    private static func harmonicMean(_ a: Double, _ b: Double) -> Double {
        a + b == 0 ? 0 : 2 * a * b / (a + b)
    }
}
