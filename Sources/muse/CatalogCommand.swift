import ArgumentParser
import Foundation
import Shelf

/// `muse catalog import FILE` (partner catalogues), `import-usda` (USDA SR24's generic foods) and
/// `lookup NAME` (the fuzzy name match, timed).
struct CatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "The product catalogue the shelf ranking matches against.",
        subcommands: [Import.self, ImportUSDA.self, Lookup.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import products from a CSV or JSONL file (replacing those with the same barcode).",
            discussion: """
            JSONL: one object a line with barcode, name, brand, category \
            (general|beverage|water|fat|cheese|red_meat), nutrition {energy_kcal, sugars_g, fat_g, \
            saturated_fat_g, salt_g, fibre_g, protein_g, fruits_vegetables_legumes_percent, ...} per 100 g, \
            ingredients, price, image. CSV: a header row with the same names, nutrition keys as columns.
            """)

        @Argument(help: "The catalogue file (.csv or .jsonl).")
        var file: String

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let products: [CatalogProduct]
            do { products = try CatalogFile.read(path: file) } catch { throw CommandFailure("\(file): \(error)") }
            let database = try store.open(try store.sources())
            let written = try await ProductCatalog(database: database).importProducts(products)
            print("imported \(written) products from \(file) into \(database.location)")
        }
    }
}


extension CatalogCommand {
    /// `muse catalog import-usda`: USDA SR24's generic foods (installed by scripts/setup.sh).
    struct ImportUSDA: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-usda",
            abstract: "Import USDA SR24's generic foods (Debian's cronometer data, unpacked by scripts/setup.sh).",
            discussion: """
            Replaces every product of source usda-sr24 in one transaction (running it again leaves the same \
            rows); partner products are untouched. Keys are usda-sr24:<NDB_No>. Rows that cannot be read are \
            listed with their file and line and skipped.
            """)

        @Option(name: .customLong("usda-dir"), help: "The unpacked usda_sr24 folder (default $MUSE_CACHE/usda-sr24/usda_sr24).")
        var usdaDir: String?

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let folder = usdaDir ?? USDACatalogue.defaultFolder(environment: ProcessInfo.processInfo.environment)
            let started = Date()
            let (products, rejected): ([CatalogProduct], [ShelfError])
            do { (products, rejected) = try USDACatalogue.products(folder: folder) } catch {
                throw CommandFailure("\(error) (run scripts/setup.sh to install the USDA SR24 data)")
            }
            for row in rejected { FileHandle.standardError.write(Data("skipped: \(row)\n".utf8)) }
            guard !products.isEmpty else { throw CommandFailure("\(folder): no food could be read") }
            let parsed = Date()
            let database = try store.open(try store.sources())
            let written = try await ProductCatalog(database: database).replaceProducts(of: .usdaSR24, with: products)
            print(String(format: "imported %d USDA SR24 foods (%d skipped) from %@ into %@: read %.1f s, stored %.1f s",
                         written, rejected.count, folder, "\(database.location)",
                         parsed.timeIntervalSince(started), Date().timeIntervalSince(parsed)))
        }
    }

    /// `muse catalog lookup NAME`: the catalogue's best fuzzy matches for a name, and how long a lookup takes.
    struct Lookup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find catalogue products by name (the shelf's fuzzy match) and time the lookup.",
            discussion: "Prints the best matches, then the median time of --repeat lookups over the whole catalogue.")

        @Argument(help: "The name to look up, e.g. \"apples raw\".")
        var name: String

        @Option(help: "How many matches to print.")
        var limit = 5

        @Option(help: "Lookups to time; the median is reported.")
        var `repeat` = 5

        @OptionGroup var store: StoreOptions

        func run() async throws {
            guard limit > 0, `repeat` > 0 else { throw CommandFailure("--limit and --repeat must be positive") }
            let loadStarted = Date()
            let products = try await ProductCatalog(database: try store.open(try store.sources())).all()
            let loaded = Date()
            let index = CatalogIndex(products)
            let indexed = Date()
            var times: [Double] = []
            var matches: [(product: CatalogProduct, score: Double)] = []
            for _ in 0..<`repeat` {
                let started = Date()
                matches = index.search(name, limit: limit)
                times.append(Date().timeIntervalSince(started))
            }
            for match in matches {
                print(String(format: "%.3f  %@  %@  [%@]", match.score, match.product.barcode, match.product.name,
                             match.product.category.rawValue))
            }
            print(String(format: "%d products: load %.0f ms, index %.0f ms, lookup median %.1f ms (%d runs)",
                         products.count, 1000 * loaded.timeIntervalSince(loadStarted), 1000 * indexed.timeIntervalSince(loaded),
                         1000 * times.sorted()[times.count / 2], `repeat`))
        }
    }
}
