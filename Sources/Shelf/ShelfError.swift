/// Why a catalogue could not be imported or a shelf photo could not be ranked.
public enum ShelfError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A catalogue file's line (1-based) could not be read; the message names the field.
    case malformedCatalogue(line: Int, message: String)
    /// A file of the USDA SR24 data (`foods.index` or a food's XML) could not be read at a
    /// 1-based line (0: the whole file).
    case malformedFoodData(file: String, line: Int, message: String)
    /// The file is neither CSV nor JSONL by its extension.
    case unknownCatalogueFormat(String)
    /// The photo could not be read or OCR failed.
    case unreadablePhoto(String)
    /// The catalogue store failed.
    case store(String)

    public var description: String {
        switch self {
        case let .malformedCatalogue(line, message): return "catalogue line \(line): \(message)"
        case let .malformedFoodData(file, line, message): return "USDA SR24 \(file) line \(line): \(message)"
        case let .unknownCatalogueFormat(name): return "\(name): catalogue files are .csv or .jsonl"
        case let .unreadablePhoto(message): return "shelf photo: \(message)"
        case let .store(message): return "catalogue store: \(message)"
        }
    }
}
