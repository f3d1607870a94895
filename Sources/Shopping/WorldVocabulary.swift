/// The words a generated world is made of: taste clusters (styles) with their adjectives,
/// colours and materials, and the items of each category.
enum WorldVocabulary {
    struct Style {
        let name: String
        let adjectives: [String]
        let colours: [String]
        let materials: [String]
        let tagline: String
    }

    static let styles: [Style] = [
        Style(name: "minimalist", adjectives: ["clean", "simple", "essential"], colours: ["white", "black", "grey", "oat"],
              materials: ["cotton", "wool", "ceramic"], tagline: "quiet lines and a neutral palette"),
        Style(name: "bohemian", adjectives: ["flowing", "embroidered", "free-spirited"], colours: ["terracotta", "mustard", "rust", "sage"],
              materials: ["linen", "macrame", "rattan"], tagline: "layered prints and handmade texture"),
        Style(name: "streetwear", adjectives: ["oversized", "graphic", "urban"], colours: ["neon green", "black", "red", "camo"],
              materials: ["denim", "nylon", "fleece"], tagline: "bold logos and relaxed fits"),
        Style(name: "classic", adjectives: ["tailored", "timeless", "refined"], colours: ["navy", "camel", "ivory", "burgundy"],
              materials: ["cashmere", "leather", "silk"], tagline: "heritage cuts that last"),
        Style(name: "sporty", adjectives: ["performance", "breathable", "active"], colours: ["electric blue", "white", "lime", "charcoal"],
              materials: ["mesh", "polyester", "elastane"], tagline: "made to move"),
        Style(name: "vintage", adjectives: ["retro", "washed", "heritage"], colours: ["faded blue", "cream", "olive", "brown"],
              materials: ["corduroy", "tweed", "brass"], tagline: "finds with a past"),
        Style(name: "glam", adjectives: ["sparkling", "statement", "luxe"], colours: ["gold", "rose gold", "emerald", "crimson"],
              materials: ["velvet", "satin", "sequin"], tagline: "evening shine and drama"),
        Style(name: "outdoor", adjectives: ["rugged", "waterproof", "trail"], colours: ["forest green", "khaki", "orange", "slate"],
              materials: ["gore-tex", "canvas", "merino"], tagline: "ready for weather"),
    ]

    static let items: [ProductCategory: [String]] = [
        .fashion: ["shirt", "dress", "jeans", "jacket", "sneakers", "boots", "sweater", "coat", "skirt", "tote bag", "scarf", "trousers"],
        .beauty: ["lipstick", "face serum", "moisturiser", "eyeshadow palette", "perfume", "sheet mask", "nail polish"],
        .home: ["vase", "throw blanket", "cushion", "table lamp", "rug", "scented candle", "mug set", "wall print"],
        .grocery: ["coffee beans", "granola", "olive oil", "tea blend", "dark chocolate", "hot sauce", "fresh pasta"],
    ]

    /// Share of the catalogue per category, and each one's median price in cents.
    static let categoryShare: [(ProductCategory, Double)] = [(.fashion, 0.45), (.beauty, 0.2), (.home, 0.2), (.grocery, 0.15)]
    static let medianPriceCents: [ProductCategory: Double] = [.fashion: 6_000, .beauty: 2_500, .home: 4_000, .grocery: 900]

    static let clothingSizes = ["XS", "S", "M", "L", "XL"]
    static let shoeSizes = ["37", "38", "39", "40", "41", "42", "43", "44"]
    static let footwear: Set<String> = ["sneakers", "boots"]

    static let regions: [(String, String, Double)] = [("EU", "EUR", 0.5), ("UK", "GBP", 0.2), ("US", "USD", 0.3)]

    static let firstNames = ["ana", "leo", "mia", "noah", "zoe", "ravi", "ines", "omar", "yuki", "lena", "kofi", "sara", "tom",
                             "eva", "jon", "nina", "ali", "maya", "ben", "lucia"]
    static let brandWords = ["North", "Atelier", "Studio", "Maison", "Field", "Common", "Bright", "Loom", "Harbor", "Ember"]
    static let postThemes = ["Autumn layers", "Weekend edit", "Five ways to wear it", "New in", "Desk to dinner", "Holiday haul",
                             "Capsule wardrobe", "Cosy corner", "Morning routine", "Gift guide", "City break", "Rainy day kit"]
}
