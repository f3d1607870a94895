import Accounts
import Foundation
import Hummingbird
import Server
import Shopping
import Storage
import Testing
import TestSupport

/// Shopping in the web assistant, in-process: the streamed answer's cards, the cards stored with
/// the answer, the post page, the product pictures, Save / Dismiss, and catalogue text that tries
/// to be markup. Accounts and Shopping share one fresh SQLite store (the privacy page's
/// personalisation switch is Shopping's consent); the lexical embedder keeps the index quick.
@Suite(.serialized) struct ShoppingWebTests {
    struct Fixture: Sendable {
        let client: InProcessClient
        let world: ShoppingWorld
        let accounts: AccountStore
        let shopping: ShoppingService
        var products: [String: Product] { Dictionary(uniqueKeysWithValues: (world.products + [Self.hostileProduct]).map { ($0.id, $0) }) }
        var brands: [String: String] { Dictionary(uniqueKeysWithValues: world.brands.map { ($0.id, $0.name) }) }

        static let hostileTitle = #"Zebra <img src=x onerror="alert(1)"> lamp"#
        static let hostileProduct = Product(id: "evil-p", brandId: "evil-b", title: hostileTitle, description: "a zebra lamp",
                                            category: .home, colour: "<script>", material: nil, sizes: [], priceCents: 1_200,
                                            currency: "EUR", stock: 3, region: "EU", imageUrl: "javascript:alert(3)", createdMs: 0)
        static let hostilePostTitle = "<script>alert(1)</script> Autumn & co"
        static let hostilePostBody = "Look <img src=x onerror=alert(2)>"
    }

    static let cache = BuiltOnce<Fixture> {
        let shared = try TestServer.shared.get()
        let world = try WorldGenerator(ShoppingRouteTests.parameters).generate()
        let database = try Database(try TestDatabase.freshSQLite())
        let store = ShoppingStore(database: database)
        try await store.insert(world)
        let shopping = ShoppingService(store: store, embedder: HashingTextEmbedder())
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase  // the importer's keys
        let product = String(decoding: try encoder.encode(Fixture.hostileProduct), as: UTF8.self)
        let lines = [
            #"{"type":"brand","id":"evil-b","name":"<b>Evil</b> & Co"}"#,
            String(product.dropLast()) + #","type":"product"}"#,
            #"{"type":"creator","id":"evil-c","handle":"x_ss","name":"<i>Eve</i>","style":"glam"}"#,
            #"{"type":"post","id":"evil-post","author_kind":"creator","author_id":"evil-c","title":"\#(Fixture.hostilePostTitle)","#
                + #""body":"\#(Fixture.hostilePostBody)","product_ids":["evil-p"],"sponsored":true,"created_ms":\#(world.latestActivityMs)}"#,
        ]
        let report = try await shopping.importLines(lines.joined(separator: "\n"))
        guard report.errors.isEmpty else { throw ShoppingError.invalidArgument("the hostile records were refused: \(report.errors)") }
        let accounts = AccountStore(database: database, hasher: PasswordHasher(cost: 1 << 10))
        let api = MuseAPI(scheduler: shared.scheduler, settings: shared.settings, shopping: shopping, web: WebApp(accounts: accounts))
        return Fixture(client: InProcessClient(api), world: world, accounts: accounts, shopping: shopping)
    }

    static let homeQuery = "A cosy throw blanket or candle for my home under 60"

    /// The chunks of an SSE body (without `[DONE]`), checking it ends with `[DONE]`.
    static func chunks(_ body: ByteBuffer) throws -> [[String: Any]] {
        let events = eventPayloads(body)
        #expect(events.last == "[DONE]")
        return try events.dropLast().map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    static func delta(_ chunk: [String: Any]) -> [String: Any] {
        ((chunk["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any]) ?? [:]
    }

    /// The cards of a stream: on its first chunk and no other.
    static func streamedCards(_ chunks: [[String: Any]]) throws -> [[String: Any]] {
        let carrying = chunks.filter { delta($0)["shopping_products"] != nil }
        #expect(carrying.count == 1 && delta(chunks[0])["shopping_products"] != nil, "the cards come once, on the first chunk")
        return try #require(delta(chunks[0])["shopping_products"] as? [[String: Any]])
    }

    /// Asks in Shopping mode on the web and returns the streamed cards and the stored answer.
    static func askOnTheWeb(_ browser: WebBrowser, conversation: String, _ body: String) async throws -> (streamed: [[String: Any]], stored: [String: Any]) {
        let response = try await browser.send(.post, "/web/conversations/\(conversation)/messages", body)
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        let streamed = try streamedCards(try chunks(response.body))
        let detail = try await browser.send(.get, "/web/conversations/\(conversation)")
        let messages = try #require(try jsonObject(detail.body)["messages"] as? [[String: Any]])
        return (streamed, try #require(messages.last))
    }

    @Test func theStreamedAnswerCarriesTheCardsWithCataloguePricesAndReasons() async throws {
        let fixture = try await Self.cache.get()
        let user = try ShoppingRouteTests.consentingUser(fixture.world)
        let request = #"{"model":"\#(TestServer.modelID)","mode":"shopping","user":"\#(user)","stream":true,"#
            + #""messages":[{"role":"user","content":"\#(Self.homeQuery)"}]}"#
        let streamedBody = try await fixture.client.execute(uri: "/v1/chat/completions", method: .post,
                                                            headers: [.contentType: "application/json"], body: ByteBuffer(string: request)) {
            #expect($0.status == .ok && $0.headers[.contentType] == "text/event-stream")
            return $0.body
        }
        let chunks = try Self.chunks(streamedBody)
        let content = chunks.compactMap { Self.delta($0)["content"] as? String }.joined()
        #expect(Self.delta(chunks[0])["role"] as? String == "assistant")
        #expect((chunks.last?["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String == "stop")
        let cards = try Self.streamedCards(chunks)
        #expect(!cards.isEmpty && cards.count <= ShoppingConversation.answerLimit)
        for card in cards {
            let product = try #require(fixture.products[card["product_id"] as? String ?? ""], "only catalogue products")
            #expect(card["price"] as? String == product.formattedPrice && card["price_cents"] as? Int == product.priceCents)
            #expect(card["currency"] as? String == product.currency && card["title"] as? String == product.title)
            #expect(card["brand"] as? String == fixture.brands[product.brandId])
            let reason = try #require(card["reason"] as? String)
            #expect(!reason.isEmpty && content.contains(reason) && content.contains(product.formattedPrice))
        }
        // The same request without `stream` gives the same cards in `message.shopping_products`.
        let plain = request.replacingOccurrences(of: #""stream":true,"#, with: "")
        try await post(fixture.client, "/v1/chat/completions", plain) { response in
            let message = try #require(((try jsonObject(response.body)["choices"] as? [[String: Any]])?.first?["message"]) as? [String: Any])
            let whole = try #require(message["shopping_products"] as? [[String: Any]])
            #expect(whole.map { $0["product_id"] as? String } == cards.map { $0["product_id"] as? String })
            #expect(whole.map { $0["reason"] as? String } == cards.map { $0["reason"] as? String })
            #expect(message["content"] as? String == content)
        }
    }

    @Test func theWebAnswerStoresItsCardsAndCatalogueMarkupStaysText() async throws {
        let fixture = try await Self.cache.get()
        let browser = try await WebBrowser.signedUp(fixture.client, "cardholder")
        let conversation = try await browser.conversation()
        let (streamed, stored) = try await Self.askOnTheWeb(browser, conversation: conversation, #"{"content":"zebra lamp","mode":"shopping"}"#)
        #expect(stored["role"] as? String == "assistant" && stored["mode"] as? String == "shopping")
        let kept = try #require(stored["products"] as? [[String: Any]])
        #expect(!kept.isEmpty)
        #expect(kept.map { $0["product_id"] as? String } == streamed.map { $0["product_id"] as? String })
        #expect(kept.map { $0["price"] as? String } == streamed.map { $0["price"] as? String })
        #expect(kept.map { $0["reason"] as? String } == streamed.map { $0["reason"] as? String })
        for card in kept {
            let product = try #require(fixture.products[card["product_id"] as? String ?? ""])
            #expect(card["price_cents"] as? Int == product.priceCents && card["price"] as? String == product.formattedPrice)
        }
        // The hostile product is found by its words and comes back as data, exactly as imported.
        let hostile = try #require(kept.first { $0["product_id"] as? String == "evil-p" })
        #expect(hostile["title"] as? String == Fixture.hostileTitle && hostile["brand"] as? String == "<b>Evil</b> & Co")
        #expect(hostile["image_url"] as? String == "javascript:alert(3)", "the page never loads it: see pictureSource")
        // Another signed-in user cannot read them.
        let other = try await WebBrowser.signedUp(fixture.client, "snooper")
        #expect(try await other.send(.get, "/web/conversations/\(conversation)").status == .notFound)
    }

    @Test func thePostPageShowsTextAuthorAndTaggedProductsEscaped() async throws {
        let fixture = try await Self.cache.get()
        let page = try await fixture.client.execute(uri: "/posts/evil-post", method: .get) { $0 }
        #expect(page.status == .ok && page.headers[.contentType] == "text/html; charset=utf-8")
        #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
        let html = String(buffer: page.body)
        #expect(html.contains("<h1>&lt;script&gt;alert(1)&lt;/script&gt; Autumn &amp; co</h1>"))
        #expect(html.contains("Look &lt;img src=x onerror=alert(2)&gt;"))
        #expect(html.contains(#"<span class="post-author">@x_ss</span>"#) && html.contains(#"<span class="sponsored">Sponsored</span>"#))
        #expect(html.contains("Zebra &lt;img src=x onerror=&quot;alert(1)&quot;&gt; lamp") && html.contains("€12.00"))
        #expect(html.contains("&lt;b&gt;Evil&lt;/b&gt; &amp; Co"))
        #expect(html.contains(#"src="/shopping/products/evil-p/picture.svg""#))
        for markup in ["<script>", "<img src=x", "<b>Evil", "javascript:"] { #expect(!html.contains(markup), "\(markup) is text, not markup") }

        // A generated post: its author's handle and every tagged product with its catalogue price.
        let post = try #require(fixture.world.posts.first { $0.authorKind == .creator && $0.productIds.count >= 2 })
        let creator = try #require(fixture.world.creators.first { $0.id == post.authorId })
        let generated = try await fixture.client.execute(uri: "/posts/\(post.id)", method: .get) { String(buffer: $0.body) }
        #expect(generated.contains("@" + creator.handle) && generated.contains(post.title))
        for id in post.productIds {
            let product = try #require(fixture.products[id])
            #expect(generated.contains(product.title) && generated.contains(product.formattedPrice))
        }
        #expect(try await fixture.client.execute(uri: "/posts/no-such-post", method: .get) { $0.status } == .notFound)
    }

    @Test func productPicturesAreDrawnTheSameEachTimeAndEscaped() async throws {
        let fixture = try await Self.cache.get()
        let first = try await fixture.client.execute(uri: "/shopping/products/evil-p/picture.svg", method: .get) { $0 }
        #expect(first.status == .ok && first.headers[.contentType] == "image/svg+xml")
        #expect(first.headers[.contentSecurityPolicy] == "default-src 'none'")
        let svg = String(buffer: first.body)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.hasSuffix("</svg>"))
        #expect(svg.contains("&lt;img") && svg.contains("&lt;script&gt;") && !svg.contains("<img") && !svg.contains("<script"))
        let again = try await fixture.client.execute(uri: "/shopping/products/evil-p/picture.svg", method: .get) { String(buffer: $0.body) }
        #expect(again == svg)
        let product = try #require(fixture.world.products.first)
        let generated = try await fixture.client.execute(uri: "/shopping/products/\(product.id)/picture.svg", method: .get) { String(buffer: $0.body) }
        #expect(generated.contains(product.category.rawValue.uppercased()) && generated.contains(product.colour ?? "?"))
        #expect(generated != svg)
        #expect(try await fixture.client.execute(uri: "/shopping/products/nope/picture.svg", method: .get) { $0.status } == .notFound)
    }

    @Test func dismissOnACardHidesTheProductNextTime() async throws {
        let fixture = try await Self.cache.get()
        let browser = try await WebBrowser.signedUp(fixture.client, "dismisser")
        let userId = try await fixture.accounts.signIn(username: "dismisser", password: "password-dismisser").id
        #expect(try await browser.send(.put, "/web/settings", #"{"personalisation":true,"healthConsent":false}"#).status == .ok)
        let conversation = try await browser.conversation()
        let ask = #"{"content":"\#(Self.homeQuery)","mode":"shopping"}"#
        let before = try #require(try await Self.askOnTheWeb(browser, conversation: conversation, ask).stored["products"] as? [[String: Any]])
        let dismissed = try #require(before.first?["product_id"] as? String)
        let feedback = #"{"product_id":"\#(dismissed)","kind":"dismiss"}"#
        #expect(try await browser.send(.post, "/web/shopping/feedback", feedback, csrf: false).status == .forbidden)
        let recorded = try await browser.send(.post, "/web/shopping/feedback", feedback)
        #expect(recorded.status == .ok)
        #expect(try jsonObject(recorded.body)["personalised"] as? Bool == true)
        #expect(try await browser.send(.post, "/web/shopping/feedback", #"{"product_id":"\#(dismissed)","kind":"stare"}"#).status == .badRequest)
        #expect(try await browser.send(.post, "/web/shopping/feedback", #"{"product_id":"nope","kind":"save"}"#).status == .notFound)
        // Recorded for the session's user, whatever `user` the body names.
        _ = try await browser.send(.post, "/web/shopping/feedback", #"{"user":"someone-else","product_id":"\#(dismissed)","kind":"save"}"#)
        #expect(try await fixture.shopping.store.userContext(userId: "someone-else").history.isEmpty)
        let history = try await fixture.shopping.store.userContext(userId: userId).history
        #expect(history.count == 2 && Set(history.map(\.kind)) == [.dismiss, .save] && history.allSatisfy { $0.productId == dismissed })

        let again = try await Self.askOnTheWeb(browser, conversation: conversation, #"{"regenerate":true,"mode":"shopping"}"#)
        let after = try #require(again.stored["products"] as? [[String: Any]])
        #expect(!after.isEmpty && !after.contains { $0["product_id"] as? String == dismissed }, "a dismissed product does not come back")

        // Without personalisation the page is told the dismissal is not remembered.
        let unpersonalised = try await WebBrowser.signedUp(fixture.client, "nopersonal")
        let reply = try await unpersonalised.send(.post, "/web/shopping/feedback", feedback)
        #expect(reply.status == .ok)
        #expect(try jsonObject(reply.body)["personalised"] as? Bool == false)
    }
}
