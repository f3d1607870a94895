import Shopping
import Testing

@Suite struct GeneratorTests {
    @Test func theSameSeedMakesTheSameWorldAndAnotherSeedAnother() throws {
        let parameters = WorldGenerator.Parameters(products: 60, creators: 5, communities: 2, users: 10, seed: 3)
        let a = try WorldGenerator(parameters).generate(), b = try WorldGenerator(parameters).generate()
        #expect(a.products == b.products && a.posts == b.posts && a.interactions == b.interactions && a.follows == b.follows)
        var other = parameters
        other.seed = 4
        #expect(try WorldGenerator(other).generate().products != a.products)
        #expect(a.products.count == 60 && a.creators.count == 5 && a.communities.count == 2 && a.preferences.count == 10)
    }

    @Test func theWorldHasTasteClustersSkewAndTime() throws {
        let world = ShoppingFixture.world
        #expect(Set(world.products.map(\.category)) == Set(ProductCategory.allCases))
        // Creators post mostly in their own style.
        let styleOf = Dictionary(uniqueKeysWithValues: world.products.map { ($0.id, $0.description) })
        let creatorStyle = Dictionary(uniqueKeysWithValues: world.creators.map { ($0.id, $0.style) })
        var inStyle = 0, tags = 0
        for post in world.posts where post.authorKind == .creator {
            for id in post.productIds {
                tags += 1
                if styleOf[id]?.contains("A \(creatorStyle[post.authorId] ?? "?") piece") == true { inStyle += 1 }
            }
        }
        #expect(Double(inStyle) / Double(tags) > 0.7)
        // Popularity skew: the top tenth of products draws far more than a tenth of interactions.
        var counts: [String: Int] = [:]
        for interaction in world.interactions { counts[interaction.productId, default: 0] += 1 }
        let sorted = counts.values.sorted(by: >)
        let top = sorted.prefix(world.products.count / 10).reduce(0, +)
        #expect(Double(top) / Double(world.interactions.count) > 0.25)
        // Time: interactions spread over the span, some from followed posts, and all kinds present.
        let times = world.interactions.map(\.createdMs)
        #expect((times.min() ?? 0) >= WorldGenerator.startMs && (times.max() ?? 0) < WorldGenerator.endMs)
        #expect(world.interactions.contains { $0.postId != nil })
        #expect(Set(world.interactions.map(\.kind)) == Set(InteractionKind.allCases))
        #expect(world.posts.contains { $0.sponsored })
    }

    @Test func tooSmallAWorldIsRefused() {
        #expect(throws: ShoppingError.self) {
            try WorldGenerator(.init(products: 2, creators: 1, communities: 1, users: 1, seed: 1))
        }
    }
}
