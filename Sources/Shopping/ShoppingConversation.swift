import Foundation

/// Shopping mode in chat: the user's message becomes a search with filters, and the answer is
/// written from the retrieved products only, so every product and price in it is the catalogue's.
public enum ShoppingConversation {
    /// Products an answer lists.
    public static let answerLimit = 5

    /// The message as a recommendation request: the whole text is the search; "under 50",
    /// "below €80", "max 30 GBP" set a price ceiling (in that currency when one is named), "size M"
    /// a size, "in stock" stock, and a category word ("beauty", "home", ...) the category.
    public static func request(from message: String, limit: Int = answerLimit) -> RecommendationRequest {
        let text = message.lowercased()
        var request = RecommendationRequest(query: message, limit: limit)
        if let match = text.firstMatch(of: /(?:under|below|less than|max|up to|cheaper than)\s*([€$£]?)\s*(\d+(?:[.,]\d{1,2})?)(?:\s*(eur|euros?|usd|dollars?|gbp|pounds?)\b)?/),
           let amount = Double(match.2.replacingOccurrences(of: ",", with: ".")) {
            request.maxPriceCents = Int((amount * 100).rounded())
            request.priceCurrency = currency(symbol: String(match.1), word: match.3.map(String.init))
        }
        if let match = text.firstMatch(of: /\bsize\s+([a-z0-9]{1,3})\b/) { request.size = match.1.uppercased() }
        if text.contains("in stock") || text.contains("available now") { request.inStockOnly = true }
        let categoryWords: [(ProductCategory, [String])] = [
            (.fashion, ["fashion", "clothes", "outfit", "wear"]), (.beauty, ["beauty", "makeup", "skincare", "cosmetic"]),
            (.home, ["home", "decor", "living room", "bedroom"]), (.grocery, ["grocery", "food", "snack", "pantry"]),
        ]
        request.category = categoryWords.first { _, words in words.contains { text.contains($0) } }?.0
        return request
    }

    /// The answer: one line per product with its catalogue price and its reason; nothing else is named.
    public static func answer(_ items: [Recommendation], for request: RecommendationRequest, brands: [String: String] = [:]) -> String {
        guard !items.isEmpty else {
            return "I found nothing in the catalogue that matches this. Try a wider price range, another size or another category."
        }
        var lines = ["Here is what I found in the catalogue:"]
        for (number, item) in items.enumerated() {
            let product = item.product
            let brand = brands[product.brandId].map { " by \($0)" } ?? ""
            let stock = product.stock > 0 ? "" : " (out of stock)"
            let label = item.sponsored ? " [Paid partnership]" : ""
            lines.append("\(number + 1). \(product.title)\(brand): \(product.formattedPrice)\(stock). Why: \(item.reason.text).\(label)")
        }
        if let ceiling = request.maxPriceCents {
            let currencies = Set(items.map(\.product.currency))
            if let currency = request.priceCurrency ?? (currencies.count == 1 ? currencies.first : nil) {
                lines.append("All at or under \(Money.format(cents: ceiling, currency: currency)).")
            } else {
                lines.append("All at or under \(Money.amount(cents: ceiling)) in their own currency; "
                             + "prices are not converted between currencies.")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The ISO code a price's symbol (as `Money` writes it) or word ("eur", "pounds", ...) names, or nil.
    static func currency(symbol: String, word: String?) -> String? {
        if let code = Money.symbols.first(where: { $0.value == symbol })?.key { return code }
        switch word?.prefix(3) {
        case "eur": return "EUR"
        case "gbp", "pou": return "GBP"
        case "usd", "dol": return "USD"
        default: return nil
        }
    }
}
