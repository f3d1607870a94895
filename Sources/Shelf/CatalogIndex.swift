/// The catalogue prepared for fuzzy name matching: each product's words (brand and name) as
/// indices into one vocabulary, so a query compares its few words with each distinct catalogue
/// word once (USDA SR24's 7,900 names share about 5,000 words) instead of once per product.
public struct CatalogIndex: Sendable {
    public let products: [CatalogProduct]
    let vocabulary: [String]
    /// Per product, its words as vocabulary indices, repeats kept (the score averages over them).
    let productWords: [[Int]]

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
    }

    /// What a pack or a query is compared with: the brand and the name.
    static func matchedText(_ product: CatalogProduct) -> String {
        [product.brand, product.name].compactMap { $0 }.joined(separator: " ")
    }

    /// Every product with its score against the words read, best first: the harmonic mean of how
    /// much of the product is found in the words read (each product word's best similarity to a
    /// read word) and how much of what was read the product explains (the converse).
    public func ranked(read: [String]) -> [(product: CatalogProduct, score: Double)] {
        guard !read.isEmpty else { return products.map { ($0, 0) } }
        // similarity[q][v]: read word q against vocabulary word v.
        let similarity = read.map { word in vocabulary.map { TextMatching.similarity(word, $0) } }
        let scores = productWords.map { words -> Double in
            guard !words.isEmpty else { return 0 }
            let recall = words.map { v in similarity.map { $0[v] }.max() ?? 0 }.reduce(0, +) / Double(words.count)
            let precision = similarity.map { row in words.map { row[$0] }.max() ?? 0 }.reduce(0, +) / Double(read.count)
            return recall + precision == 0 ? 0 : 2 * recall * precision / (recall + precision)
        }
        return zip(products, scores).map { (product: $0, score: $1) }.sorted { $0.score > $1.score }
    }

    /// The best matches for a typed name ("apple raw"), at most `limit`.
    public func search(_ query: String, limit: Int) -> [(product: CatalogProduct, score: Double)] {
        Array(ranked(read: TextMatching.tokens(query)).prefix(limit))
    }
}
