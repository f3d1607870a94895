import Shopping
import Testing

@Suite struct RecommenderTests {
    static let limit = 20

    @Test func everyFilterHolds() throws {
        let recommender = try ShoppingFixture.recommender()
        let user = ShoppingFixture.user(try #require(ShoppingFixture.activeUsers.first))
        let requests: [(RecommendationRequest, (Product) -> Bool)] = [
            (.init(category: .beauty), { $0.category == .beauty }),
            (.init(minPriceCents: 2_000, maxPriceCents: 5_000), { (2_000...5_000).contains($0.priceCents) }),
            (.init(size: "M"), { $0.sizes.contains("M") }),
            (.init(inStockOnly: true), { $0.stock > 0 }),
            (.init(category: .fashion, maxPriceCents: 8_000, size: "40", inStockOnly: true),
             { $0.category == .fashion && $0.priceCents <= 8_000 && $0.sizes.contains("40") && $0.stock > 0 }),
        ]
        for (request, holds) in requests {
            let results = try recommender.recommend(for: user, request)
            #expect(!results.isEmpty, "\(request)")
            #expect(results.allSatisfy { holds($0.product) }, "\(request)")
            // The filter really removes something: the catalogue has products it rejects.
            #expect(ShoppingFixture.world.products.contains { !holds($0) })
        }
    }

    @Test func queryBringsMatchingProductsAndSaysSo() throws {
        let recommender = try ShoppingFixture.recommender()
        let results = try recommender.recommend(for: ShoppingFixture.user("new-user"), .init(query: "waterproof boots", limit: 10))
        let top = try #require(results.first)
        #expect(top.product.title.lowercased().contains("boots") || top.product.title.lowercased().contains("waterproof"))
        #expect(top.reason == .query("waterproof boots"))
        #expect(top.features.queryRelevance > 0)
    }

    @Test func badRequestsAreRefused() throws {
        let recommender = try ShoppingFixture.recommender()
        let user = ShoppingFixture.user("u00001")
        #expect(throws: ShoppingError.self) { try recommender.recommend(for: user, .init(limit: 0)) }
        #expect(throws: ShoppingError.self) { try recommender.recommend(for: user, .init(minPriceCents: -1)) }
        #expect(throws: ShoppingError.self) { try recommender.recommend(for: user, .init(minPriceCents: 500, maxPriceCents: 100)) }
    }

    @Test func nothingRepeatsNothingDismissedOwnedOrInCart() throws {
        let recommender = try ShoppingFixture.recommender()
        var checkedDismissals = 0, checkedOwned = 0
        for id in ShoppingFixture.activeUsers.prefix(10) {
            let user = ShoppingFixture.user(id)
            let results = try recommender.recommend(for: user, .init(limit: Self.limit))
            let ids = results.map(\.product.id)
            #expect(Set(ids).count == ids.count, "no duplicates")
            let listings = results.map { $0.product.brandId + "/" + $0.product.title }
            #expect(Set(listings).count == listings.count, "no duplicate listings")
            let touched = Set(user.history.map(\.productId))
            #expect(touched.isDisjoint(with: ids), "nothing seen, dismissed, owned or in the cart comes back")
            if user.history.contains(where: { $0.kind == .dismiss }) { checkedDismissals += 1 }
            if user.history.contains(where: { $0.kind == .purchase || $0.kind == .cart }) { checkedOwned += 1 }
        }
        #expect(checkedDismissals > 0 && checkedOwned > 0, "the users checked did dismiss, buy and cart things")
    }

    @Test func diversityRerankSpreadsTheList() throws {
        var plain = try ShoppingFixture.recommender()
        plain.diversity = 1
        let diverse = try ShoppingFixture.recommender()
        var lowerSimilarity = 0, plainTotal = 0.0, diverseTotal = 0.0
        let users = Array(ShoppingFixture.activeUsers.prefix(8))
        for id in users {
            let user = ShoppingFixture.user(id)
            let a = try plain.recommend(for: user, .init(limit: Self.limit)), b = try diverse.recommend(for: user, .init(limit: Self.limit))
            // λ = 1 is the ranking's own order.
            #expect(a.map(\.score) == a.map(\.score).sorted(by: >))
            plainTotal += meanPairwiseSimilarity(a)
            diverseTotal += meanPairwiseSimilarity(b)
            if meanPairwiseSimilarity(b) < meanPairwiseSimilarity(a) { lowerSimilarity += 1 }
        }
        #expect(diverseTotal < plainTotal, "MMR lowers the mean pairwise similarity on average")
        #expect(lowerSimilarity * 4 >= users.count * 3, "and for most users (\(lowerSimilarity) of \(users.count))")
    }

    @Test func mmrPicksTheMostRelevantThenAvoidsNearCopies() {
        // Items 0 and 1 are identical, 2 is different and slightly less relevant.
        let similarity: [[Double]] = [[1, 1, 0], [1, 1, 0], [0, 0, 1]]
        let order = DiversityReranker.mmr(scores: [1.0, 0.99, 0.9], count: 3, lambda: 0.5) { similarity[$0][$1] }
        #expect(order == [0, 2, 1])
        #expect(DiversityReranker.mmr(scores: [1.0, 0.99, 0.9], count: 3, lambda: 1) { similarity[$0][$1] } == [0, 1, 2])
    }

    @Test func consentOffUsesNoPersonalSignal() throws {
        let recommender = try ShoppingFixture.recommender()
        let stranger = ShoppingFixture.user("nobody-at-all")
        let anonymous = try recommender.recommend(for: stranger, .init(limit: Self.limit)).map(\.product.id)
        for id in ShoppingFixture.activeUsers.prefix(5) {
            let withoutConsent = try recommender.recommend(for: ShoppingFixture.user(id, consent: false), .init(limit: Self.limit))
            #expect(withoutConsent.map(\.product.id) == anonymous, "the same list as a user we know nothing about")
            #expect(withoutConsent.allSatisfy {
                $0.features.creatorAffinity == 0 && $0.features.coEngagement == 0 && $0.features.similarity == 0 && $0.features.nearestItem == 0
            })
            #expect(withoutConsent.allSatisfy { $0.reason.source == "popular" })
            let withConsent = try recommender.recommend(for: ShoppingFixture.user(id), .init(limit: Self.limit))
            #expect(withConsent.map(\.product.id) != anonymous, "consent does change the list")
        }
    }

    @Test func reasonsMatchTheRealSource() throws {
        guard let index = ShoppingFixture.index else { throw ShoppingError.invalidArgument("no index") }
        let recommender = try ShoppingFixture.recommender()
        var sources = Set<String>()
        for id in ShoppingFixture.activeUsers.prefix(20) {
            let user = ShoppingFixture.user(id)
            let positive = Set(user.history.filter { $0.kind.isPositive }.map(\.productId))
            for item in try recommender.recommend(for: user, .init(limit: Self.limit)) {
                sources.insert(item.reason.source)
                switch item.reason {
                case .followedPost(let postId, let title, let author, let sponsored):
                    let post = try #require(index.post(postId))
                    #expect(post.productIds.contains(item.product.id), "the post tags the product")
                    #expect(user.follows.contains { $0.targetId == post.authorId }, "the user follows its author")
                    #expect(post.title == title && index.authorName(post) == author && post.sponsored == sponsored)
                    #expect(item.sponsored == post.sponsored, "paid posts are labelled")
                    #expect(item.features.creatorAffinity > 0)
                case .coEngaged(let other, _):
                    #expect(positive.contains(other), "co-engaged with something the user engaged with")
                    #expect(item.features.coEngagement > 0)
                case .similar(let other, _, let kind):
                    #expect(user.history.contains { $0.productId == other && $0.kind == kind })
                    #expect(item.features.similarity > 0 || item.features.nearestItem > 0)
                case .query: Issue.record("no query was given")
                case .popular(let category):
                    #expect(category == item.product.category)
                    #expect(item.features.popularity > 0 || item.features.trend > 0)
                }
                #expect(!item.reason.text.isEmpty)
                if !item.sponsored { #expect(!item.reason.text.contains("paid partnership")) }
            }
        }
        #expect(sources.contains("followed_post") && sources.count >= 3, "several real sources show up: \(sources)")
    }

    @Test func aNewUserGetsPopularItems() throws {
        guard let index = ShoppingFixture.index else { throw ShoppingError.invalidArgument("no index") }
        let results = try ShoppingFixture.recommender().recommend(for: ShoppingFixture.user("fresh"), .init(limit: 5))
        #expect(results.count == 5)
        #expect(results.allSatisfy { $0.reason.source == "popular" })
        let threshold = index.popularity.sorted(by: >)[index.products.count / 10]
        #expect(results.allSatisfy { (index.popularity[index.productIndex[$0.product.id] ?? 0]) >= threshold },
                "all from the most popular tenth")
    }

    func meanPairwiseSimilarity(_ items: [Recommendation]) -> Double {
        let vectors = items.map { ShoppingFixture.embedder.embed($0.product.embeddingText) }
        var total = 0.0, pairs = 0
        for a in vectors.indices { for b in vectors.indices where b > a {
            total += Double(zip(vectors[a], vectors[b]).reduce(0) { $0 + $1.0 * $1.1 }); pairs += 1
        } }
        return total / Double(max(1, pairs))
    }
}
