import Foundation
import Nutrition

/// USDA SR24 foods as catalogue products: nutrients mapped to `NutritionFacts`, the food group
/// mapped to a Nutri-Score category, and the fruit/vegetable/legume share estimated where the
/// group bounds it. README "Generic foods (USDA SR24)" documents the mapping and its limits.
public enum USDACatalogue {
    /// The catalogue key of a generic food: this prefix and its NDB number (`usda-sr24:09003`),
    /// never a valid barcode, so partner products and generic foods never collide.
    public static let keyPrefix = CatalogSource.usdaSR24.rawValue + ":"
    /// SR24 gives sodium in mg (Nutr_No 307); labels and `NutritionFacts` use grams.
    static let milligramsPerGram = 1_000.0

    /// Where scripts/setup.sh unpacks the data: `$MUSE_CACHE/usda-sr24/usda_sr24` (MUSE_CACHE
    /// defaults to ~/.cache/muse).
    public static func defaultFolder(environment: [String: String]) -> String {
        let cache = environment["MUSE_CACHE"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() + "/.cache/muse"
        return cache + "/usda-sr24/usda_sr24"
    }

    /// Every food of the folder as a product, and every row that could not be one.
    public static func products(folder: String) throws(ShelfError) -> (products: [CatalogProduct], rejected: [ShelfError]) {
        var (foods, rejected) = try USDAFoodData.read(folder: folder)
        var products: [CatalogProduct] = []
        for food in foods {
            do throws(ShelfError) { products.append(try product(food)) } catch { rejected.append(error) }
        }
        return (products, rejected)
    }

    /// The product for one food, or why it cannot be one (values no label can carry).
    public static func product(_ food: USDAFood) throws(ShelfError) -> CatalogProduct {
        let n = food.nutrients
        let group = String(food.ndb.prefix(2))
        let category = category(group: group, name: food.description)
        // cronometer keeps SR24's kcal (Nutr_No 208) but not its kJ (268); kJ is derived from kcal.
        let facts = NutritionFacts(energyKcal: n["Energy"], sugars: n["Sugars"], fat: n["Fat"], saturatedFat: n["Saturated"],
                                   sodium: n["Sodium"].map { $0 / milligramsPerGram }, fibre: n["Fiber"], protein: n["Protein"],
                                   fruitsVegetablesLegumesEstimate: fruitsVegetablesLegumesEstimate(group: group, name: food.description))
        do { try facts.validate() } catch {
            throw .malformedFoodData(file: "\(food.ndb).xml", line: 0, message: "\(error)")
        }
        return CatalogProduct(barcode: keyPrefix + food.ndb, name: food.description, brand: nil, category: category,
                              nutrition: facts, source: .usdaSR24)
    }

    // MARK: - Food group → Nutri-Score category

    /// SR24 FD_GROUP codes by what they hold (an NDB number's first two digits; SR24's 27xxx,
    /// 31xxx and 42xxx–93xxx numbers are foods of several groups, placed by name only).
    enum Group {
        static let dairyAndEgg = "01", fatsAndOils = "04", sausagesAndLuncheonMeats = "07", fruits = "09", pork = "10",
                   vegetables = "11", nutsAndSeeds = "12", beef = "13", beverages = "14", finfishAndShellfish = "15",
                   legumes = "16", lambVealAndGame = "17", poultry = "05", campbellJuices = "31"
        /// Meat, fish, dairy and egg: a food of these groups is not 40 % fruit, vegetable or legume.
        static let animal: Set<String> = [dairyAndEgg, poultry, pork, beef, finfishAndShellfish, lambVealAndGame]
        static let redMeat: Set<String> = [pork, beef, lambVealAndGame]
        static let juiceBearing: Set<String> = [fruits, vegetables, campbellJuices]
        /// Groups whose NDB prefix is not an SR24 group code (27: restaurant soups, 42+: several groups).
        static func isNamedOnly(_ group: String) -> Bool { (Int(group) ?? 0) >= 42 }
    }

    static func category(group: String, name: String) -> NutriScoreCategory {
        let lower = name.lowercased()
        let words = Set(TextMatching.tokens(lower, minimumLength: 2))
        let head = lower.split(separator: ",").first.map(String.init) ?? lower
        if group == Group.beverages { return isPlainWater(lower) ? .water : .beverage }
        if (group == Group.dairyAndEgg || Group.isNamedOnly(group)) && head.hasPrefix("cheese") { return .cheese }
        if ["butter", "lard", "shortening", "margarine", "oil", "vegetable oil"].contains(where: { head.hasPrefix($0) })
            && !head.hasPrefix("butterbur") && group != Group.nutsAndSeeds { return .fat }
        // 2023: milk, milk drinks and plant drinks are beverages; dried, condensed and evaporated milk are not drunk as sold.
        if (head == "milk" || head.hasPrefix("milk shakes") || head.hasPrefix("milk substitutes") || head.hasPrefix("soymilk"))
            && words.isDisjoint(with: ["dry", "dried", "condensed", "evaporated", "powder", "canned"]) { return .beverage }
        if (Group.juiceBearing.contains(group) || Group.isNamedOnly(group)) && words.contains("juice") { return .beverage }
        switch group {
        case Group.fatsAndOils:
            return ["salad dressing", "dressing", "sandwich spread", "mayonnaise"].contains(where: { head.hasPrefix($0) }) ? .general : .fat
        case Group.nutsAndSeeds: return .fat
        case Group.legumes where head.hasPrefix("peanut"): return .fat
        case _ where Group.redMeat.contains(group): return .redMeat
        case Group.sausagesAndLuncheonMeats where !words.isDisjoint(with: redMeatWords): return .redMeat
        default: return .general
        }
    }

    static let redMeatWords: Set<String> = ["beef", "pork", "ham", "bacon", "lamb", "veal", "salami", "pepperoni", "bologna"]

    /// `Water, tap, ...` and `Water, bottled, ...` without flavour, sugar, sweetener or vitamins.
    static func isPlainWater(_ lower: String) -> Bool {
        lower.hasPrefix("water,") && !["flavor", "sweet", "sugar", "vitamin", "syrup"].contains(where: { lower.contains($0) })
    }

    // MARK: - Fruit, vegetable and legume share

    /// A single fruit, vegetable or pulse as sold (raw, cooked, canned plain, dried, 100 % juice) is
    /// all fruit, vegetable or legume.
    static let wholeShare = 100.0...100.0
    /// Meat, fish, dairy, eggs and plain fats: at most the general table's first threshold, so
    /// no points (and not more than the beverage table's first threshold either).
    static let animalOrFatShare = 0.0...40.0

    /// The share where the group and name bound it; nil (unknown) otherwise: mixed dishes,
    /// sweetened or syruped fruit, soups, snacks, cereals, baked goods, sweets, beverages.
    static func fruitsVegetablesLegumesEstimate(group: String, name: String) -> ClosedRange<Double>? {
        let lower = name.lowercased()
        let words = Set(TextMatching.tokens(lower, minimumLength: 2))
        let head = lower.split(separator: ",").first.map(String.init) ?? lower
        if Group.animal.contains(group) { return animalOrFatShare }
        if group == Group.fatsAndOils || (Group.isNamedOnly(group) && head == "oil") {
            // Olive, rapeseed and walnut oils count as FVL, as in the Nutrition module's worked
            // example (olive oil: FVL 5 points, grade B); a blend or a dressing holds an unknown share.
            let segments = lower.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if head == "oil", segments.count > 1, countedOils.contains(segments[1]) { return wholeShare }
            let open = ["olive", "canola", "rapeseed", "walnut", "dressing", "spread", "mayonnaise"]
            return open.contains(where: { lower.contains($0) }) ? nil : animalOrFatShare
        }
        guard [Group.fruits, Group.vegetables, Group.legumes].contains(group), words.isDisjoint(with: mixedWords),
              !starchyRoots.contains(where: { lower.contains($0) }) else { return nil }
        if group == Group.legumes {
            let pulse = head.hasSuffix("beans") || head.hasSuffix("peas") || ["chickpeas", "lentils", "lupins", "broadbeans"]
                .contains(where: { head.hasPrefix($0) })
            return pulse && !head.contains("refried") ? wholeShare : nil
        }
        return wholeShare
    }

    /// The oils the FVL component counts, as SR24 names them after "Oil,".
    static let countedOils: Set<String> = ["olive", "canola", "rapeseed", "walnut"]

    /// Words that mark a food mixed with something else or sweetened (not "unsweetened").
    static let mixedWords: Set<String> = [
        "syrup", "sweetened", "sugar", "drink", "cocktail", "nectar", "pie", "sauce", "soup", "salad", "mix", "dessert",
        "pudding", "creamed", "fried", "breaded", "batter", "cheese", "butter", "margarine", "oil", "baked", "stuffed",
        "glazed", "candied", "chips", "flour", "sticks", "puffs", "babyfood", "pickle", "relish", "paste", "powder",
    ]
    /// Potatoes and other starchy roots are not vegetables for the Nutri-Score.
    static let starchyRoots = ["potato", "cassava", "yam", "taro", "tapioca"]
}
