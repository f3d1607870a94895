import Foundation
import Shopping

/// Shopping retrieval: requests like "Find me a wool scarf under €40" asked in Shopping mode of a
/// small seeded world, scored by code: every product the answer lists is in the world's catalogue
/// at its price, and at least one is the kind asked for at or under the ceiling.
public enum ShoppingSuite {
    public static let name = "shopping"
    public static let version = "1"
    public static let seed: UInt64 = 4_2026
    public static let count = 24
    /// A small world (seeds in about a second), so a CI run or a fresh `muse eval` server holds it
    /// whole; the same parameters give the same catalogue (`WorldGenerator`).
    public static let world = WorldGenerator.Parameters(products: 400, creators: 12, communities: 4, users: 30, seed: 9)

    /// The world's parameters as the header's `setup.shopping_world` text.
    public static func worldText(_ p: WorldGenerator.Parameters) -> String {
        "products=\(p.products),creators=\(p.creators),communities=\(p.communities),users=\(p.users),seed=\(p.seed)"
    }

    /// Parses `worldText`; nil when a field is missing or not a number.
    public static func world(from text: String) -> WorldGenerator.Parameters? {
        var fields: [String: UInt64] = [:]
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let value = UInt64(parts[1]) else { return nil }
            fields[String(parts[0])] = value
        }
        guard let products = fields["products"], let creators = fields["creators"], let communities = fields["communities"],
              let users = fields["users"], let seed = fields["seed"] else { return nil }
        return .init(products: Int(products), creators: Int(creators), communities: Int(communities), users: Int(users), seed: seed)
    }

    /// Every product as its answer line names it: `Title by Brand: PRICE` (`ShoppingConversation.answer`).
    static func referenceLines(_ world: ShoppingWorld) -> [String] {
        let brands = Dictionary(uniqueKeysWithValues: world.brands.map { ($0.id, $0.name) })
        return world.products.map { "\($0.title)\(brands[$0.brandId].map { " by \($0)" } ?? ""): \($0.formattedPrice)" }.sorted()
    }

    public static func header() throws -> EvalSuite.Header {
        let world = try WorldGenerator(Self.world).generate()
        return EvalSuite.Header(suite: name, version: version, canary: EvalSuite.canaryPrefix + "-shopping-v1-3d81c0f5a9e27b64",
                                max_tokens: 256,
                                description: "Requests for a kind of product under a price, asked in Shopping mode of a seeded world; "
                                    + "scored by code against the world's catalogue.",
                                mode: "shopping", setup: ["shopping_world": worldText(Self.world)], reference: referenceLines(world))
    }

    public static func items() throws -> [EvalItem] {
        let world = try WorldGenerator(Self.world).generate()
        var random = SplitMix64(seed: seed)
        var items: [EvalItem] = [], asked = Set<String>()
        while items.count < count, asked.count < world.products.count {
            let product = world.products[Int(random.next() % UInt64(world.products.count))]
            // Title: adjective, colour, material (fashion and home), then the noun.
            let described = [product.colour, product.material].compactMap { $0 }.joined(separator: " ") + " "
            guard let range = product.title.range(of: described) else { continue }
            let noun = String(product.title[range.upperBound...])
            let kind = (product.material ?? product.colour ?? "") + " " + noun
            let units = product.priceCents / 1000 * 10 + 10  // the next ten above the price: 37.49 -> 40
            let symbol = Money.symbols[product.currency] ?? ""
            let prompt = "Find me a \(kind) under \(symbol)\(units)\(symbol.isEmpty ? " " + product.currency : "")."
            // Skip requests whose words would set another category than the product's (e.g. "wear" in "knitwear").
            let request = ShoppingConversation.request(from: prompt)
            guard request.category == nil || request.category == product.category, request.maxPriceCents == units * 100,
                  asked.insert(prompt).inserted else { continue }
            let words = kind.lowercased().split(separator: " ").joined(separator: ",")
            items.append(EvalItem(id: "shop-\(items.count + 1)", prompt: prompt,
                                  answer: "a \(kind) at or under \(Money.format(cents: units * 100, currency: product.currency))",
                                  check: "shopping:words=\(words);max_cents=\(units * 100)",
                                  source: "seeded world \(worldText(Self.world)), product \(product.id)"))
        }
        return items
    }

    /// The `shopping` check on an answer: its numbered lines `N. Title by Brand: PRICE...` must all
    /// be in `reference`, and one must have every word of `words` in its name at or under `max_cents`.
    static func score(output: String, check: String, reference: Set<String>) -> (extracted: String, correct: Bool) {
        var fields: [String: String] = [:]
        for pair in check.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        // Compared as `Scorer.words` (runs of letters), as the names are: "gore-tex" is "gore", "tex".
        let words = Scorer.words(fields["words"] ?? "")
        guard let ceiling = fields["max_cents"].flatMap(Int.init), !words.isEmpty else { return ("bad check", false) }
        var listed = 0, unknown = 0, matching = 0
        for line in output.split(separator: "\n").map(String.init) {
            guard let number = line.firstMatch(of: /^\d+\.\s+/) else { continue }
            listed += 1
            let body = line[number.range.upperBound...]
            guard let colon = body.range(of: ": ") else { unknown += 1; continue }
            let named = String(body[..<colon.lowerBound])
            var price = String(body[colon.upperBound...])
            if let why = price.range(of: ". Why:") { price = String(price[..<why.lowerBound]) }
            price = price.replacingOccurrences(of: " (out of stock)", with: "")
            guard reference.contains("\(named): \(price)") else { unknown += 1; continue }
            let cents = Int(price.filter(\.isNumber)) ?? Int.max
            let nameWords = Set(Scorer.words(named))
            if cents <= ceiling, words.allSatisfy(nameWords.contains) { matching += 1 }
        }
        return ("\(listed) listed, \(unknown) not in the catalogue, \(matching) matching",
                listed > 0 && unknown == 0 && matching > 0)
    }
}
