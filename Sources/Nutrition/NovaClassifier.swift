/// A NOVA processing group (Monteiro et al.): 1 unprocessed or minimally processed, 2 processed
/// culinary ingredients, 3 processed foods, 4 ultra-processed. It says nothing about nutrients
/// and is shown beside the Nutri-Score, never merged into it.
public struct NovaClassification: Equatable, Sendable {
    public let group: Int
    /// The ingredient words that decided the group (empty for group 1).
    public let markers: [String]

    public init(group: Int, markers: [String]) {
        self.group = group
        self.markers = markers
    }
}

/// A marker-list NOVA classifier over a label's ingredient text, after the way Open Food Facts
/// assigns NOVA from ingredients:
///
/// 1. Any marker of ultra-processing → 4: substances of no culinary use (syrups, isolates,
///    hydrogenated fats, maltodextrin) and cosmetic additives (flavourings, colours, emulsifiers,
///    sweeteners, flavour enhancers, thickeners), by name or E-number.
/// 2. Otherwise, every ingredient a processed culinary ingredient (oil, butter, sugar, salt,
///    vinegar, honey, starch) → 2.
/// 3. Otherwise, a culinary ingredient or a preservative added to foods → 3.
/// 4. Otherwise → 1.
///
/// Limits: it reads only the words on the label, so a product made by an ultra-processing method
/// without a marker ingredient is under-classified, and a culinary ingredient named inside a
/// food's name ("peanut butter") counts as culinary.
public enum NovaClassifier {
    /// `nil` when there is no ingredient list to read.
    public static func classify(ingredients: String?) -> NovaClassification? {
        guard let ingredients else { return nil }
        let items = IngredientText.items(ingredients)
        guard !items.isEmpty else { return nil }

        let ultra = items.flatMap { item in
            ultraProcessingMarkers.filter { item.contains(phrase: $0) } + item.eNumbers.filter(isUltraProcessingAdditive).map { "e\($0)" }
        }
        if !ultra.isEmpty { return NovaClassification(group: 4, markers: unique(ultra)) }

        let culinary = items.map { item in culinaryIngredientMarkers.filter { item.contains(phrase: $0) } }
        let preservatives = items.flatMap { item in
            item.eNumbers.filter(isPreservative).map { "e\($0)" } + (item.contains(phrase: "preservative") ? ["preservative"] : [])
        }
        let foods = zip(items, culinary).filter { item, markers in markers.isEmpty && item.eNumbers.isEmpty }
        if preservatives.isEmpty, foods.isEmpty { return NovaClassification(group: 2, markers: unique(culinary.flatMap { $0 })) }
        let processing = culinary.flatMap { $0 } + preservatives
        if !processing.isEmpty { return NovaClassification(group: 3, markers: unique(processing)) }
        return NovaClassification(group: 1, markers: [])
    }

    /// Whether the ingredients name a non-nutritive sweetener (the 2023 beverage penalty), by
    /// name or by its E-number (E950–E969 less the polyols, which are nutritive).
    public static func containsNonNutritiveSweetener(ingredients: String) -> Bool {
        IngredientText.items(ingredients).contains { item in
            nonNutritiveSweetenerNames.contains { item.contains(phrase: $0) }
                || item.eNumbers.contains { nonNutritiveSweetenerENumbers.contains($0) }
        }
    }

    static let ultraProcessingMarkers = [
        "flavouring", "flavourings", "flavoring", "flavorings", "flavour", "flavours", "flavor", "flavors",
        "flavour enhancer", "monosodium glutamate", "colour", "colours", "color", "colors", "colouring",
        "emulsifier", "emulsifiers", "emulsifying salts", "thickener", "thickeners", "stabiliser", "stabilisers",
        "stabilizer", "stabilizers", "gelling agent", "glazing agent", "bulking agent", "anti-foaming agent",
        "sweetener", "sweeteners", "lecithin", "lecithins", "carrageenan", "xanthan gum", "polysorbate",
        "glucose syrup", "glucose-fructose syrup", "fructose-glucose syrup", "high fructose corn syrup",
        "corn syrup", "invert sugar", "invert sugar syrup", "maltodextrin", "dextrose", "fructose",
        "hydrogenated", "interesterified", "modified starch", "modified maize starch", "hydrolysed",
        "hydrolyzed", "protein isolate", "whey powder", "whey protein", "caseinate",
        "mechanically separated", "mono- and diglycerides", "mono and diglycerides",
    ] + nonNutritiveSweetenerNames

    static let nonNutritiveSweetenerNames = [
        "aspartame", "acesulfame", "acesulfame k", "acesulfame potassium", "sucralose", "saccharin",
        "cyclamate", "steviol glycosides", "stevia", "neotame", "advantame", "thaumatin", "neohesperidin dc",
    ]

    /// Acesulfame K, aspartame, cyclamates, saccharin, sucralose, thaumatin, neohesperidine DC,
    /// steviol glycosides, neotame, aspartame-acesulfame salt, advantame.
    static let nonNutritiveSweetenerENumbers: Set<Int> = [950, 951, 952, 954, 955, 957, 959, 960, 961, 962, 969]

    static let culinaryIngredientMarkers = [
        "oil", "butter", "ghee", "lard", "sugar", "salt", "vinegar", "honey", "maple syrup", "starch",
    ]

    /// Colours (E100–E199), emulsifiers, stabilisers, thickeners and gelling agents (E400–E499),
    /// flavour enhancers (E620–E640), glazing agents (E900–E909) and sweeteners (E950–E969).
    static func isUltraProcessingAdditive(_ number: Int) -> Bool {
        (100...199).contains(number) || (400...499).contains(number) || (620...640).contains(number)
            || (900...909).contains(number) || (950...969).contains(number)
    }

    /// Preservatives (E200–E299): they keep a food, a processed-food marker, not an ultra one.
    static func isPreservative(_ number: Int) -> Bool { (200...299).contains(number) }

    private static func unique(_ markers: [String]) -> [String] {
        var seen = Set<String>()
        return markers.filter { seen.insert($0).inserted }
    }
}

/// One ingredient of a label's list, as lower-case words.
struct IngredientItem {
    let words: [String]

    /// Whether the words hold the phrase as whole words ("salt" is in "sea salt", not in "salted").
    func contains(phrase: String) -> Bool {
        let needle = IngredientText.words(phrase)
        guard !needle.isEmpty, needle.count <= words.count else { return false }
        return (0...(words.count - needle.count)).contains { Array(words[$0..<($0 + needle.count)]) == needle }
    }

    /// E-numbers written "E471", "e 471" or "E-160a".
    var eNumbers: [Int] {
        words.indices.compactMap { index in
            let word = words[index]
            if word.hasPrefix("e"), let number = Self.additiveNumber(word.dropFirst().drop { $0 == "-" }) { return number }
            if word == "e", index + 1 < words.count { return Self.additiveNumber(Substring(words[index + 1])) }
            return nil
        }
    }

    /// E-numbers run from 100 to 1521; a letter suffix (160a) names a variant of the same additive.
    private static let additiveNumbers = 100...1521

    private static func additiveNumber(_ text: Substring) -> Int? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let suffix = text.dropFirst(digits.count)
        guard (3...4).contains(digits.count), suffix.count <= 1, suffix.allSatisfy(\.isLetter),
              let number = Int(digits), additiveNumbers.contains(number) else { return nil }
        return number
    }
}

enum IngredientText {
    /// Ingredients split at commas, semicolons, parentheses and brackets, so each sub-ingredient
    /// ("emulsifier (soy lecithin)") is an item of its own; percentages stay within their item.
    static func items(_ text: String) -> [IngredientItem] {
        text.split(whereSeparator: { ",;()[]".contains($0) }).map { IngredientItem(words: words(String($0))) }
            .filter { !$0.words.isEmpty }
    }

    /// Lower-case runs of letters, digits and hyphens ("mono- and diglycerides" keeps "mono-").
    static func words(_ text: String) -> [String] {
        text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "-") })
            .map { String($0).trimmingHyphens() }
            .filter { !$0.isEmpty }
    }
}

private extension String {
    func trimmingHyphens() -> String {
        String(drop { $0 == "-" }.reversed().drop { $0 == "-" }.reversed())
    }
}
