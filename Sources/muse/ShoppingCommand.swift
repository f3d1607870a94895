import ArgumentParser
import Foundation
import Generation
import Kernels
import Server
import Shopping
import Storage

struct ShoppingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shopping",
        abstract: "Shopping mode: seed or import a catalogue, recommend, evaluate and benchmark the recommender.",
        discussion: "Everything lives in the same store as `muse serve` (--data-dir or --database-url).",
        subcommands: [Seed.self, Import.self, Recommend.self, ShoppingEval.self, ShoppingBench.self])

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a deterministic world (catalogue, creators, communities, posts, users, follows, history) into the store.")
        @OptionGroup var store: StoreOptions
        @Option(help: "Products in the catalogue.") var products = 10_000
        @Option(help: "Creators, each with one style.") var creators = 300
        @Option(help: "Communities, each with one style.") var communities = 40
        @Option(help: "Users with follows and histories.") var users = 2_000
        @Option(help: "Random seed: the same seed gives the same world.") var seed: UInt64 = 1

        func run() async throws {
            let generator: WorldGenerator
            do {
                generator = try WorldGenerator(.init(products: products, creators: creators, communities: communities, users: users, seed: seed))
            } catch { throw CommandFailure(error) }
            let world = generator.generate()
            let database = try store.open(try store.sources())
            do { try await ShoppingStore(database: database).insert(world) } catch {
                throw CommandFailure("\(error) (seed into an empty store: a new --data-dir)")
            }
            print("seeded \(database.location): \(world.products.count) products, \(world.brands.count) brands, "
                  + "\(world.creators.count) creators, \(world.communities.count) communities, \(world.posts.count) posts, "
                  + "\(users) users, \(world.follows.count) follows, \(world.interactions.count) interactions")
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import JSONL records (brand, product, creator, community, post, follow, interaction, preferences, settings).",
            discussion: "Good lines are imported; each bad line is printed with its number and reason, and the exit code is 1.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The JSONL file.") var file: String

        func run() async throws {
            let text: String
            do { text = try String(contentsOfFile: file, encoding: .utf8) } catch { throw CommandFailure("cannot read \(file): \(error.localizedDescription)") }
            let database = try store.open(try store.sources())
            let report: CatalogImporter.Report
            do { report = try await CatalogImporter(store: ShoppingStore(database: database)).importLines(text) } catch { throw CommandFailure(error) }
            for error in report.errors { printError("\(file): \(error)") }
            print("imported \(report.total) records (\(report.imported.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))), "
                  + "\(report.errors.count) rejected")
            if !report.errors.isEmpty { throw ExitCode(1) }
        }
    }

    struct Recommend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recommend products for one user, with each item's reason.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var embedding: ShoppingEmbedderOptions
        @Option(help: "The user's id.") var user: String
        @Option(help: "Search text.") var query: String?
        @Option(help: "fashion, beauty, home or grocery.") var category: String?
        @Option(name: .customLong("min-price"), help: "Lowest price in cents.") var minPrice: Int?
        @Option(name: .customLong("max-price"), help: "Highest price in cents.") var maxPrice: Int?
        @Option(help: "The currency of --min-price and --max-price (EUR, USD, GBP): products priced in another are left out, as prices are not converted.")
        var currency: String?
        @Option(help: "A size the product must come in.") var size: String?
        @Flag(name: .customLong("in-stock"), help: "Only products in stock.") var inStock = false
        @Option(help: "How many.") var limit = 10

        func run() async throws {
            var request = RecommendationRequest(query: query, minPriceCents: minPrice, maxPriceCents: maxPrice, size: size,
                                                inStockOnly: inStock, limit: limit)
            request.priceCurrency = currency?.uppercased()
            if let category {
                guard let value = ProductCategory(rawValue: category) else { throw CommandFailure("unknown category '\(category)'") }
                request.category = value
            }
            let service = ShoppingService(store: ShoppingStore(database: try store.open(try store.sources())), embedder: try embedding.make())
            let items: [Recommendation]
            do { items = try await service.recommend(userId: user, request) } catch { throw CommandFailure(error) }
            print(Table(header: ["product", "title", "price", "reason"], rows: items.map { item in
                [item.product.id, item.product.title, item.product.formattedPrice, item.reason.text + (item.sponsored ? " [sponsored]" : "")]
            }).render())
        }
    }
}

/// Which embedder the shopping commands use for products and queries.
struct ShoppingEmbedderOptions: ParsableArguments {
    @Option(help: "minilm (all-MiniLM-L6-v2, the default) or hashing (lexical, instant).") var embedder = "minilm"
    @Option(name: .customLong("embedder-folder"), help: "Folder of the MiniLM model (env MUSE_EMBEDDER; default: the installed one).")
    var embedderFolder: String?

    func make() throws -> any TextEmbedding {
        switch embedder {
        case "hashing": return HashingTextEmbedder()
        case "minilm":
            do {
                return EngineTextEmbedding(try TextEmbedder(folder: embedderFolder ?? TextEmbedder.defaultFolder,
                                                            pool: ThreadPool(threadCount: ProcessInfo.processInfo.activeProcessorCount)))
            } catch { throw CommandFailure(error) }
        default: throw CommandFailure("--embedder must be minilm or hashing")
        }
    }

    /// The store's world with one vector per product (computed now for those not cached yet).
    func loadWorld(_ store: ShoppingStore, embedder: any TextEmbedding) async throws -> (ShoppingWorld, [[Float]]) {
        do {
            let world = try await store.loadWorld()
            guard !world.products.isEmpty else { throw CommandFailure("the store has no products: run `muse shopping seed` or `import` first") }
            let start = Date()
            let loaded = try await ProductEmbeddings.load(world.products, store: store, embedder: embedder) { done, total in
                if done % 1000 == 0 { printError("embedded \(done)/\(total) products") }
            }
            if loaded.computed > 0 {
                printError(String(format: "embedded %d products with %@ in %.1f s (cached in the store)", loaded.computed,
                                  embedder.modelName, Date().timeIntervalSince(start)))
            }
            return (world, loaded.vectors)
        } catch let failure as CommandFailure { throw failure } catch { throw CommandFailure(error) }
    }
}
