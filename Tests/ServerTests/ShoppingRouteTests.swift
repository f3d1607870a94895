import Foundation
import Generation
import Hummingbird
import Kernels
import Server
import Shopping
import Storage
import Testing
import TestSupport

/// The shopping routes and Shopping chat mode through the real router, on a small seeded world
/// in a fresh SQLite store, with the real all-MiniLM-L6-v2 embedder.
@Suite(.serialized) struct ShoppingRouteTests {
    static let parameters = WorldGenerator.Parameters(products: 150, creators: 10, communities: 3, users: 30, seed: 5)

    struct Fixture {
        let client: InProcessClient
        let world: ShoppingWorld
        let store: ShoppingStore
        var products: [String: Product] { Dictionary(uniqueKeysWithValues: world.products.map { ($0.id, $0) }) }
    }

    static let cache = BuiltOnce<Fixture> {
        let shared = try TestServer.shared.get()
        let world = try WorldGenerator(ShoppingRouteTests.parameters).generate()
        let store = ShoppingStore(database: try Database(try TestDatabase.freshSQLite()))
        try await store.insert(world)
        let embedder = EngineTextEmbedding(try TextEmbedder(folder: TextEmbedder.defaultFolder, pool: ThreadPool(threadCount: 1)))
        let api = MuseAPI(scheduler: shared.scheduler, settings: shared.settings,
                          shopping: ShoppingService(store: store, embedder: embedder))
        return Fixture(client: InProcessClient(api), world: world, store: store)
    }

    /// A generated user with consent and a history.
    static func consentingUser(_ world: ShoppingWorld) throws -> String {
        let consenting = Set(world.settings.filter(\.personalisation).map(\.userId))
        var counts: [String: Int] = [:]
        for interaction in world.interactions where consenting.contains(interaction.userId) { counts[interaction.userId, default: 0] += 1 }
        return try #require(counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key)
    }

    static func cards(_ client: InProcessClient, _ query: String, status: HTTPResponse.Status = .ok) async throws -> [[String: Any]] {
        try await client.execute(uri: "/v1/shopping/recommendations?" + query, method: .get) { response in
            #expect(response.status == status, "\(String(buffer: response.body))")
            return (try jsonObject(response.body)["data"] as? [[String: Any]]) ?? []
        }
    }

    @Test func recommendationsCarryCataloguePricesReasonsAndHonourFilters() async throws {
        let fixture = try await Self.cache.get()
        let user = try Self.consentingUser(fixture.world)
        let all = try await Self.cards(fixture.client, "user=\(user)&limit=10")
        #expect(all.count == 10)
        for card in all {
            let product = try #require(fixture.products[card["product_id"] as? String ?? ""])
            #expect(card["price_cents"] as? Int == product.priceCents && card["price"] as? String == product.formattedPrice)
            #expect(!(card["reason"] as? String ?? "").isEmpty)
        }
        let filtered = try await Self.cards(fixture.client, "user=\(user)&category=fashion&min_price=1000&max_price=9000&size=M&in_stock=true")
        #expect(!filtered.isEmpty)
        for card in filtered {
            let product = try #require(fixture.products[card["product_id"] as? String ?? ""])
            #expect(product.category == .fashion && (1000...9000).contains(product.priceCents) && product.sizes.contains("M") && product.stock > 0)
        }
        let searched = try await Self.cards(fixture.client, "user=nobody&query=scented%20candle&limit=3")
        #expect(searched.first?["source"] as? String == "query")
        _ = try await Self.cards(fixture.client, "user=\(user)&category=cars", status: .badRequest)
        _ = try await Self.cards(fixture.client, "limit=3", status: .badRequest)
        _ = try await Self.cards(fixture.client, "user=\(user)&max_price=cheap", status: .badRequest)
        // A bound in a named currency leaves out products priced in another (prices are not converted).
        let pounds = try await Self.cards(fixture.client, "user=\(user)&max_price=9000&currency=gbp&limit=30")
        #expect(!pounds.isEmpty)
        for card in pounds {
            let product = try #require(fixture.products[card["product_id"] as? String ?? ""])
            #expect(product.currency == "GBP" && product.priceCents <= 9000)
        }
        _ = try await Self.cards(fixture.client, "user=\(user)&max_price=9000&currency=euros", status: .badRequest)
    }

    @Test func feedbackConsentAndResetChangeWhatComesBack() async throws {
        let fixture = try await Self.cache.get()
        let user = try Self.consentingUser(fixture.world)
        let first = try #require(try await Self.cards(fixture.client, "user=\(user)&limit=5").first?["product_id"] as? String)
        try await post(fixture.client, "/v1/shopping/feedback", #"{"user":"\#(user)","product_id":"\#(first)","kind":"dismiss"}"#) {
            #expect($0.status == .ok)
        }
        #expect(!(try await Self.cards(fixture.client, "user=\(user)&limit=20")).contains { $0["product_id"] as? String == first },
                "a dismissed product does not come back")
        try await post(fixture.client, "/v1/shopping/feedback", #"{"user":"\#(user)","product_id":"nope","kind":"save"}"#) {
            #expect($0.status == .notFound)
        }
        try await post(fixture.client, "/v1/shopping/feedback", #"{"user":"\#(user)","product_id":"\#(first)","kind":"stare"}"#) {
            #expect($0.status == .badRequest)
        }
        // Consent off: only popularity, the same list as a stranger's.
        try await post(fixture.client, "/v1/shopping/consent", #"{"user":"\#(user)","personalisation":false}"#) { #expect($0.status == .ok) }
        let withoutConsent = try await Self.cards(fixture.client, "user=\(user)&limit=10")
        #expect(withoutConsent.allSatisfy { $0["source"] as? String == "popular" })
        #expect(withoutConsent.map { $0["product_id"] as? String } == (try await Self.cards(fixture.client, "user=stranger&limit=10")).map { $0["product_id"] as? String })
        try await post(fixture.client, "/v1/shopping/consent", #"{"user":"\#(user)","personalisation":true}"#) { #expect($0.status == .ok) }
        // Reset forgets views, likes, saves and dismissals.
        let before = try await fixture.store.userContext(userId: user).history
        try await post(fixture.client, "/v1/shopping/reset", #"{"user":"\#(user)"}"#) { response in
            let forgotten = try jsonObject(response.body)["forgotten_interactions"] as? Int
            #expect(forgotten == before.filter { InteractionKind.resettable.contains($0.kind) }.count)
        }
        #expect(try await fixture.store.userContext(userId: user).history.allSatisfy { $0.kind == .purchase || $0.kind == .cart })
    }

    @Test func shoppingChatNamesOnlyRetrievedProductsWithTheirPrices() async throws {
        let fixture = try await Self.cache.get()
        let user = try Self.consentingUser(fixture.world)
        let body = #"{"model":"\#(TestServer.modelID)","mode":"shopping","user":"\#(user)","messages":[{"role":"user","content":"A cosy throw blanket or candle for my home under 60"}]}"#
        try await post(fixture.client, "/v1/chat/completions", body) { response in
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let message = try #require(((try jsonObject(response.body)["choices"] as? [[String: Any]])?.first?["message"]) as? [String: Any])
            let content = try #require(message["content"] as? String)
            let cards = try #require(message["shopping_products"] as? [[String: Any]])
            #expect(!cards.isEmpty)
            var cardPrices = Set<String>()
            for card in cards {
                let product = try #require(fixture.products[card["product_id"] as? String ?? ""], "only catalogue products")
                #expect(product.category == .home && product.priceCents <= 6_000)
                #expect(content.contains(product.title) && content.contains(product.formattedPrice), "named with its real price")
                #expect(content.contains(card["reason"] as? String ?? "?"), "and why")
                cardPrices.insert(product.formattedPrice)
            }
            let ceiling = Money.format(cents: 6_000, currency: try #require(fixture.products[cards[0]["product_id"] as? String ?? ""]?.currency))
            let prices = content.matches(of: /[€£$]\d+\.\d\d/).map { String($0.output) }
            #expect(prices.allSatisfy { cardPrices.contains($0) || $0 == ceiling }, "no price that is not the catalogue's: \(prices)")
        }
    }

    @Test func importThroughTheAPIReportsBadRows() async throws {
        let fixture = try await Self.cache.get()
        let lines = #"{"type":"brand","id":"api-b","name":"Api"}"# + "\n" + #"{"type":"brand","id":"api-b","name":"Again"}"#
        try await post(fixture.client, "/v1/shopping/import", lines) { response in
            let object = try jsonObject(response.body)
            #expect((object["imported"] as? [String: Int]) == ["brand": 1])
            let errors = try #require(object["errors"] as? [[String: Any]])
            #expect(errors.count == 1 && errors[0]["line"] as? Int == 2 && errors[0]["reason"] as? String == "brand 'api-b' already exists")
        }
    }
}
