import Foundation

/// One food of USDA SR24 as Debian's `cronometer` package ships it: its NDB number, its long
/// description and the nutrients SR24 measured for it, per 100 g of edible portion.
public struct USDAFood: Equatable, Sendable {
    /// SR24's NDB_No, five digits; its first two are the food group (FdGrp_Cd) for SR's own foods.
    public let ndb: String
    /// SR24's Long_Desc.
    public let description: String
    /// cronometer's nutrient names (`Energy`, `Sugars`, ...) → amount; a nutrient SR24 did not
    /// measure for the food is absent, never zero.
    public let nutrients: [String: Double]

    public init(ndb: String, description: String, nutrients: [String: Double]) {
        self.ndb = ndb
        self.description = description
        self.nutrients = nutrients
    }
}

/// Reads `usda_sr24.jar` from Debian's `cronometer` package, unpacked (scripts/setup.sh): a
/// `foods.index` of `NDB_No|Long_Desc` lines (the current foods; `deprecated.index` lists
/// withdrawn ones) and one `<NDB_No>.xml` per food:
/// `<food uid="01001" name="Butter, salted" ...><measure .../><nutrient amount="717.0" name="Energy"/>...</food>`.
/// cronometer converted SR24's ASCII tables (FOOD_DES, NUT_DATA) into these files; its nutrient
/// names map back to SR24's Nutr_No (`Energy` 208 in kcal, `Sodium` 307 in mg, ...).
public enum USDAFoodData {
    public static let indexFile = "foods.index"

    /// The foods listed in `folder/foods.index`, and every row that could not be read (with the
    /// file and 1-based line that broke), so one bad food does not lose the other 7,900.
    public static func read(folder: String) throws(ShelfError) -> (foods: [USDAFood], rejected: [ShelfError]) {
        let index = try text(folder + "/" + indexFile)
        var foods: [USDAFood] = []
        var rejected: [ShelfError] = []
        for (offset, row) in lines(index).enumerated() where !row.isEmpty {
            do throws(ShelfError) {
                let (ndb, description) = try indexEntry(row, line: offset + 1)
                let file = "\(ndb).xml"
                let food = try parse(xml: try text(folder + "/" + file), file: file)
                guard food.ndb == ndb else {
                    throw ShelfError.malformedFoodData(file: file, line: 1, message: "uid \(food.ndb), the index says \(ndb)")
                }
                foods.append(food.description.isEmpty ? USDAFood(ndb: ndb, description: description, nutrients: food.nutrients) : food)
            } catch {
                rejected.append(error)
            }
        }
        return (foods, rejected)
    }

    /// `NDB_No|Long_Desc`: five digits, a bar, a non-empty description.
    static func indexEntry(_ row: Substring, line: Int) throws(ShelfError) -> (String, String) {
        let fields = row.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
        guard fields.count == 2, isNDB(fields[0]) else {
            throw .malformedFoodData(file: indexFile, line: line, message: "expected NDB_No|Long_Desc, got '\(row.prefix(60))'")
        }
        let description = fields[1].trimmingCharacters(in: .whitespaces)
        guard !description.isEmpty else { throw .malformedFoodData(file: indexFile, line: line, message: "empty description") }
        return (String(fields[0]), description)
    }

    /// SR24's NDB_No is five digits.
    static let ndbDigits = 5

    static func isNDB(_ text: Substring) -> Bool {
        text.utf8.count == ndbDigits && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// One food file. Errors name the line of the offending element.
    public static func parse(xml: String, file: String) throws(ShelfError) -> USDAFood {
        var food: (ndb: String, description: String)? = nil
        var nutrients: [String: Double] = [:]
        for element in try XMLElements.scan(xml, file: file) {
            func attribute(_ name: String) throws(ShelfError) -> String {
                guard let value = element.attributes[name] else {
                    throw .malformedFoodData(file: file, line: element.line, message: "<\(element.name)> without \(name)=")
                }
                return value
            }
            switch element.name {
            case "food":
                let ndb = try attribute("uid")
                guard isNDB(Substring(ndb)) else {
                    throw .malformedFoodData(file: file, line: element.line, message: "uid '\(ndb)' is not an NDB_No")
                }
                food = (ndb, element.attributes["name"] ?? "")
            case "nutrient":
                let name = try attribute("name"), text = try attribute("amount")
                guard let amount = Double(text), amount.isFinite, amount >= 0 else {
                    throw .malformedFoodData(file: file, line: element.line, message: "\(name) amount '\(text)' is not a non-negative number")
                }
                nutrients[name] = amount
            default: continue
            }
        }
        guard let food else { throw .malformedFoodData(file: file, line: 1, message: "no <food> element") }
        return USDAFood(ndb: food.ndb, description: food.description, nutrients: nutrients)
    }

    private static func text(_ path: String) throws(ShelfError) -> String {
        do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .malformedFoodData(file: path, line: 0, message: "cannot read: \(error.localizedDescription)")
        }
    }

    /// Lines without their terminators; the index files end lines with CR LF (one Character in Swift).
    static func lines(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
    }
}

/// The start tags of the flat XML cronometer writes (no CDATA, comments or nesting that matters):
/// name, attributes with the five predefined entities decoded, and the line each starts on.
enum XMLElements {
    struct Element {
        let name: String
        let attributes: [String: String]
        let line: Int
    }

    static func scan(_ xml: String, file: String) throws(ShelfError) -> [Element] {
        var elements: [Element] = []
        let bytes = Array(xml.utf8)
        var line = 1
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\n") { line += 1 }
            guard bytes[i] == UInt8(ascii: "<") else { i += 1; continue }
            guard let close = bytes[i...].firstIndex(of: UInt8(ascii: ">")) else {
                throw .malformedFoodData(file: file, line: line, message: "unterminated tag")
            }
            let tag = String(decoding: bytes[(i + 1)..<close], as: UTF8.self)
            let startLine = line
            line += bytes[i..<close].filter { $0 == UInt8(ascii: "\n") }.count
            i = close + 1
            if tag.hasPrefix("/") || tag.hasPrefix("?") || tag.hasPrefix("!") { continue }
            elements.append(try element(tag, line: startLine, file: file))
        }
        return elements
    }

    /// `name a="x" b="y"` or `name a="x"/`.
    private static func element(_ tag: String, line: Int, file: String) throws(ShelfError) -> Element {
        var rest = Substring(tag.hasSuffix("/") ? String(tag.dropLast()) : tag)
        let name = rest.prefix { !$0.isWhitespace }
        rest = rest.dropFirst(name.count)
        var attributes: [String: String] = [:]
        while true {
            rest = rest.drop(while: \.isWhitespace)
            if rest.isEmpty { break }
            guard let equals = rest.firstIndex(of: "="), rest[rest.index(after: equals)...].first == "\"" else {
                throw .malformedFoodData(file: file, line: line, message: "bad attribute in <\(name)>")
            }
            let key = String(rest[..<equals]).trimmingCharacters(in: .whitespaces)
            let valueStart = rest.index(equals, offsetBy: 2)
            guard let valueEnd = rest[valueStart...].firstIndex(of: "\"") else {
                throw .malformedFoodData(file: file, line: line, message: "unterminated \(key)= in <\(name)>")
            }
            attributes[key] = decodeEntities(rest[valueStart..<valueEnd])
            rest = rest[rest.index(after: valueEnd)...]
        }
        guard !name.isEmpty else { throw .malformedFoodData(file: file, line: line, message: "empty tag") }
        return Element(name: String(name), attributes: attributes, line: line)
    }

    private static func decodeEntities(_ value: Substring) -> String {
        guard value.contains("&") else { return String(value) }
        return value.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
