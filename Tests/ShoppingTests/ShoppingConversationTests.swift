import Shopping
import Testing

/// Price ceilings in chat: the currency a user names is the one the ceiling is in. Prices are
/// never converted, so products priced in another currency are left out, and the answer's last
/// line names the user's currency, not whichever the first product happens to be in.
@Suite struct ShoppingConversationTests {
    @Test func aCeilingTakesTheCurrencyItNames() {
        let cases: [(String, Int?, String?)] = [
            ("Find me a camo lipstick under €40.", 4_000, "EUR"), ("a scarf below £25.50", 2_550, "GBP"),
            ("boots max $120", 12_000, "USD"), ("a lamp up to 80 euros", 8_000, "EUR"), ("mugs under 15 GBP", 1_500, "GBP"),
            ("a throw blanket under 60", 6_000, nil), ("something nice", nil, nil),
        ]
        for (message, cents, currency) in cases {
            let request = ShoppingConversation.request(from: message)
            #expect(request.maxPriceCents == cents, "\(message)")
            #expect(request.priceCurrency == currency, "\(message)")
        }
    }

    @Test func aNamedCurrencyLeavesOutProductsPricedInAnother() throws {
        let recommender = try ShoppingFixture.recommender()
        let user = ShoppingFixture.user(ShoppingFixture.activeUsers[0])
        var request = RecommendationRequest(maxPriceCents: 4_000, limit: 50)
        let mixed = try recommender.recommend(for: user, request)
        #expect(Set(mixed.map(\.product.currency)).count > 1, "the fixture's world prices in several currencies")
        request.priceCurrency = "EUR"
        let euros = try recommender.recommend(for: user, request)
        #expect(!euros.isEmpty)
        #expect(euros.allSatisfy { $0.product.currency == "EUR" && $0.product.priceCents <= 4_000 })
        // Without a bound the currency filters nothing: it only says what the bounds are in.
        let unbounded = try recommender.recommend(for: user, RecommendationRequest(limit: 50))
        request = RecommendationRequest(limit: 50)
        request.priceCurrency = "EUR"
        #expect(try recommender.recommend(for: user, request).map(\.product.id) == unbounded.map(\.product.id))
    }

    @Test func theAnswersLastLineNamesTheUsersCurrencyOrSaysPricesAreNotConverted() throws {
        let recommender = try ShoppingFixture.recommender()
        let user = ShoppingFixture.user(ShoppingFixture.activeUsers[0])
        let named = ShoppingConversation.request(from: "anything under €40", limit: 5)
        let euros = try recommender.recommend(for: user, named)
        #expect(ShoppingConversation.answer(euros, for: named).hasSuffix("\nAll at or under €40.00."))
        let bare = ShoppingConversation.request(from: "anything under 40", limit: 20)
        let mixed = try recommender.recommend(for: user, bare)
        #expect(Set(mixed.map(\.product.currency)).count > 1)
        #expect(ShoppingConversation.answer(mixed, for: bare)
            .hasSuffix("\nAll at or under 40.00 in their own currency; prices are not converted between currencies."))
    }
}
