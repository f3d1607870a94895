import Shopping
import Storage
import Testing
import TestSupport

/// The shopping tables on SQLite, and on PostgreSQL when MUSE_TEST_DATABASE_URL is set.
@Suite struct StoreTests {
    static let small = WorldGenerator.Parameters(products: 40, creators: 4, communities: 2, users: 6, seed: 11)

    @Test func aWorldRoundTripsThroughTheStore() async throws {
        let world = try WorldGenerator(Self.small).generate()
        for location in try TestDatabase.freshLocations() {
            let store = ShoppingStore(database: try Database(location))
            try await store.insert(world)
            let loaded = try await store.loadWorld()
            #expect(loaded.products == world.products.sorted { $0.id < $1.id }, "\(location)")
            #expect(loaded.posts == world.posts.sorted { $0.id < $1.id }.map { post in
                var sorted = post
                sorted.productIds.sort()
                return sorted
            })
            #expect(loaded.interactions.count == world.interactions.count)
            #expect(loaded.creators == world.creators && loaded.communities == world.communities)
            let user = try await store.userContext(userId: "u00000")
            #expect(user.follows.count == world.follows.filter { $0.userId == "u00000" }.count)
            #expect(user.history.map(\.id) == world.interactions.filter { $0.userId == "u00000" }.map(\.id))
            #expect(user.preferences == world.preferences.first { $0.userId == "u00000" })
            #expect(user.personalisation == world.settings.first { $0.userId == "u00000" }?.personalisation)
        }
    }

    /// Several Shopping requests on a fresh store build the embedding index at once: every save
    /// succeeds and one row per product remains (it was a UNIQUE-constraint 500 before).
    @Test func embeddingsSavedTwiceAtOnceKeepOneRowEach() async throws {
        let world = try WorldGenerator(Self.small).generate()
        for location in try TestDatabase.freshLocations() {
            let store = ShoppingStore(database: try Database(location))
            try await store.insert(world)
            let vectors = world.products.prefix(10).enumerated().map { (productId: $1.id, vector: [Float(1), Float($0)]) }
            async let first: Void = store.saveEmbeddings(vectors, model: "m")
            async let second: Void = store.saveEmbeddings(vectors, model: "m")
            _ = try await (first, second)
            let saved = try await store.embeddings(model: "m")
            #expect(saved.count == 10, "\(location)")
            #expect(saved[vectors[3].productId] == [1, 3])
        }
    }

    @Test func consentIsOffUntilGivenAndCanBeWithdrawn() async throws {
        for location in try TestDatabase.freshLocations() {
            let store = ShoppingStore(database: try Database(location))
            #expect(try await store.userContext(userId: "someone").personalisation == false, "off by default")
            try await store.setPersonalisation(userId: "someone", enabled: true, nowMs: 1)
            #expect(try await store.userContext(userId: "someone").personalisation == true)
            try await store.setPersonalisation(userId: "someone", enabled: false, nowMs: 2)
            #expect(try await store.userContext(userId: "someone").personalisation == false)
        }
    }

    @Test func resetForgetsInterestsButKeepsOrdersAndFollows() async throws {
        let world = try WorldGenerator(Self.small).generate()
        for location in try TestDatabase.freshLocations() {
            let store = ShoppingStore(database: try Database(location))
            try await store.insert(world)
            let userId = try #require(world.interactions.first { $0.kind == .view }?.userId)
            let before = try await store.userContext(userId: userId)
            let forgotten = try await store.resetInterests(userId: userId)
            let after = try await store.userContext(userId: userId)
            #expect(forgotten == before.history.filter { InteractionKind.resettable.contains($0.kind) }.count && forgotten > 0)
            #expect(after.history.allSatisfy { $0.kind == .purchase || $0.kind == .cart })
            #expect(after.history.count == before.history.count - forgotten)
            #expect(after.follows == before.follows)
        }
    }

    @Test func embeddingsAreCachedPerModel() async throws {
        let world = try WorldGenerator(Self.small).generate()
        let embedder = HashingTextEmbedder(dimension: 32)
        for location in try TestDatabase.freshLocations() {
            let store = ShoppingStore(database: try Database(location))
            try await store.insert(world)
            let first = try await ProductEmbeddings.load(world.products, store: store, embedder: embedder)
            #expect(first.computed == world.products.count)
            let again = try await ProductEmbeddings.load(world.products, store: store, embedder: embedder)
            #expect(again.computed == 0, "computed once, then read from the store")
            #expect(again.vectors == first.vectors)
            #expect(try await store.embeddings(model: "other").isEmpty)
        }
    }
}
