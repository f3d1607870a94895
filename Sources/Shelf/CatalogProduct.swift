import Foundation
import Nutrition

/// Where a catalogue product came from.
public enum CatalogSource: String, Codable, Sendable {
    /// A partner's catalogue file (`muse catalog import FILE`).
    case partner
    /// A generic food of USDA SR24 (`muse catalog import-usda`).
    case usdaSR24 = "usda-sr24"
}

/// One product of the catalogue: identity, nutrition per 100 g (or 100 ml), ingredients,
/// price and picture. The JSON keys are those of `muse catalog import` files.
public struct CatalogProduct: Codable, Equatable, Sendable {
    /// The catalogue's key: EAN-13/UPC digits for a partner's product, `usda-sr24:<NDB_No>` for a
    /// generic food.
    public var barcode: String
    public var name: String
    public var brand: String?
    public var category: NutriScoreCategory
    public var nutrition: NutritionFacts
    public var ingredients: String?
    public var price: Double?
    /// A URL of the product's picture.
    public var image: String?
    /// Set by the importer, never read from a partner's file.
    public var source: CatalogSource = .partner

    enum CodingKeys: String, CodingKey { case barcode, name, brand, category, nutrition, ingredients, price, image }

    public init(barcode: String, name: String, brand: String?, category: NutriScoreCategory, nutrition: NutritionFacts,
                ingredients: String? = nil, price: Double? = nil, image: String? = nil, source: CatalogSource = .partner) {
        self.source = source
        self.barcode = barcode
        self.name = name
        self.brand = brand
        self.category = category
        self.nutrition = nutrition
        self.ingredients = ingredients
        self.price = price
        self.image = image
    }

    /// The label the Nutrition module scores.
    public var label: ProductLabel {
        ProductLabel(name: [brand, name].compactMap { $0 }.joined(separator: " "), category: category,
                     nutrition: nutrition, ingredients: ingredients)
    }

    /// Whether the digits form a valid EAN-13 (GS1 check digit: weights 1 and 3 alternating).
    public static func isValidEAN13(_ digits: String) -> Bool {
        let values = digits.compactMap(\.wholeNumberValue)
        guard digits.count == 13, values.count == 13 else { return false }
        let sum = values.prefix(12).enumerated().reduce(0) { $0 + $1.element * ($1.offset % 2 == 0 ? 1 : 3) }
        return (10 - sum % 10) % 10 == values[12]
    }
}

/// Reads catalogue files: JSONL (one product object a line) or CSV (a header row; the columns
/// barcode, name, brand, category, ingredients, price, image, and the nutrition keys of
/// `NutritionFacts`, e.g. energy_kcal, sugars_g).
public enum CatalogFile {
    static let productColumns: Set<String> = ["barcode", "name", "brand", "category", "ingredients", "price", "image"]

    public static func read(path: String) throws -> [CatalogProduct] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ShelfError.malformedCatalogue(line: 0, message: "cannot read \(path): \(error.localizedDescription)")
        }
        if path.hasSuffix(".jsonl") || path.hasSuffix(".ndjson") { return try jsonLines(text) }
        if path.hasSuffix(".csv") { return try csv(text) }
        throw ShelfError.unknownCatalogueFormat(path)
    }

    public static func jsonLines(_ text: String) throws(ShelfError) -> [CatalogProduct] {
        var products: [CatalogProduct] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.allSatisfy(\.isWhitespace) { continue }
            products.append(try decode(Data(line.utf8), line: index + 1))
        }
        return products
    }

    public static func csv(_ text: String) throws(ShelfError) -> [CatalogProduct] {
        let rows = try CSVRows.parse(text)
        guard let header = rows.first else { return [] }
        var products: [CatalogProduct] = []
        for (index, row) in rows.dropFirst().enumerated() where !(row.count == 1 && row[0].isEmpty) {
            let line = index + 2
            guard row.count == header.count else {
                throw .malformedCatalogue(line: line, message: "\(row.count) fields, the header has \(header.count)")
            }
            var object: [String: Any] = [:]
            var nutrition: [String: Any] = [:]
            for (column, field) in zip(header, row) where !field.isEmpty {
                if column == "price" || !productColumns.contains(column) {
                    guard let number = Double(field) else {
                        throw .malformedCatalogue(line: line, message: "\(column) '\(field)' is not a number")
                    }
                    if column == "price" { object[column] = number } else { nutrition[column] = number }
                } else {
                    object[column] = field
                }
            }
            object["nutrition"] = nutrition
            guard let data = try? JSONSerialization.data(withJSONObject: object) else {
                throw .malformedCatalogue(line: line, message: "row cannot be represented")
            }
            products.append(try decode(data, line: line))
        }
        return products
    }

    static func decode(_ data: Data, line: Int) throws(ShelfError) -> CatalogProduct {
        let product: CatalogProduct
        do { product = try JSONDecoder().decode(CatalogProduct.self, from: data) } catch let error as DecodingError {
            throw .malformedCatalogue(line: line, message: describe(error))
        } catch {
            throw .malformedCatalogue(line: line, message: "\(error)")
        }
        guard !product.barcode.isEmpty, product.barcode.allSatisfy(\.isNumber) else {
            throw .malformedCatalogue(line: line, message: "barcode '\(product.barcode)' is not digits")
        }
        do { try product.nutrition.validate() } catch {
            throw .malformedCatalogue(line: line, message: "\(error)")
        }
        return product
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "bad value at '\(path)'"
        @unknown default: return "\(error)"
        }
    }
}

/// RFC 4180 CSV: fields separated by commas, quoted with double quotes ("" inside a quote).
enum CSVRows {
    static func parse(_ text: String) throws(ShelfError) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var line = 1
        var iterator = text.makeIterator()
        var pending: Character? = nil
        while let char = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if char == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                    } else { quoted = false }
                } else {
                    if char == "\n" { line += 1 }
                    field.append(char)
                }
                continue
            }
            switch char {
            case "\"" where field.isEmpty: quoted = true
            case ",": row.append(field); field = ""
            case "\n", "\r\n":
                row.append(field); field = ""
                rows.append(row); row = []
                line += 1
            case "\r": continue
            default: field.append(char)
            }
        }
        if quoted { throw .malformedCatalogue(line: line, message: "unterminated quoted field") }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
