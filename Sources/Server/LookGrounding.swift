import Foundation
import Shelf

/// Questions about which product on the photo is healthiest (or least healthy) are answered from
/// the shelf pipeline's Nutri-Score ranking, not left to the model: when the catalogue matched
/// products on the photo, the answer opens with a sentence naming the right one, and the model
/// only continues after it. A 135M model reading a ranked list names the wrong line often enough
/// that a glasses user would be misled; the ranking is what the pipeline actually knows.
enum LookGrounding {
    enum Ask: Equatable {
        case healthiest, leastHealthy
    }

    /// Words that make a question a ranking question. "not healthy" stays a healthiest question:
    /// pocketsphinx often hears "the healthiest" as "not healthy".
    static let healthiestWords: Set<String> = [
        "healthiest", "healthier", "healthy", "health", "best", "better", "nutri", "nutriscore", "score",
        "recommend", "choose", "pick", "buy", "rank", "ranking",
    ]
    static let leastHealthyWords: Set<String> = ["unhealthiest", "unhealthy", "worst", "worse", "avoid"]

    static func ask(_ question: String) -> Ask? {
        let words = question.lowercased().split { !$0.isLetter }.map(String.init)
        let leastPhrase = zip(words, words.dropFirst()).contains { $0 == "least" && ["healthy", "healthiest", "good"].contains($1) }
        if leastPhrase || words.contains(where: leastHealthyWords.contains) { return .leastHealthy }
        return words.contains(where: healthiestWords.contains) ? .healthiest : nil
    }

    /// The opening sentence for `question` on `products` (healthiest first, as `ShelfReader.ranking`
    /// orders them); nil when the question is no ranking question or no product was graded.
    static func sentence(answering question: String, products: [ShelfProduct]) -> String? {
        guard let ask = ask(question) else { return nil }
        let graded = products.compactMap { found in
            found.product.flatMap { product in found.assessment.map { (product, $0.nutriScore) } }
        }
        guard let first = graded.first, let last = graded.last else { return nil }
        let (product, score) = ask == .healthiest ? first : last
        let name = ImagePerception.Observation.name(of: product)
        let grade = ImagePerception.Observation.grade(of: score)
        guard graded.count > 1 else { return "This is \(name), Nutri-Score \(grade)." }
        let superlative = ask == .healthiest ? "healthiest" : "least healthy"
        return "The \(superlative) here is \(name), Nutri-Score \(grade)."
    }
}
