import Shopping
import Storage
import Testing
import TestSupport

@Suite struct ImportTests {
    static let lines = """
        {"type":"brand","id":"b1","name":"Loom"}
        {"type":"product","id":"p1","brand_id":"b1","title":"Linen shirt","description":"Light.","category":"fashion","sizes":["S","M"],"price_cents":4900,"currency":"EUR","stock":3,"region":"EU","created_ms":1}
        {"type":"product","id":"p2","brand_id":"nope","title":"Vase","description":"","category":"home","sizes":[],"price_cents":1200,"currency":"EUR","stock":1,"region":"EU","created_ms":1}
        {"type":"product","id":"p3","brand_id":"b1","title":"Mug","description":"","category":"kitchen","sizes":[],"price_cents":900,"currency":"EUR","stock":1,"region":"EU","created_ms":1}
        {"type":"product","id":"p4","brand_id":"b1","title":"Bag","description":"","category":"fashion","sizes":[],"price_cents":-5,"currency":"EUR","stock":1,"region":"EU","created_ms":1}
        {"type":"product","id":"p5","brand_id":"b1","title":"Scarf","description":"","category":"fashion","sizes":[],"currency":"EUR","stock":1,"region":"EU","created_ms":1}
        {"type":"creator","id":"c1","handle":"ana","name":"Ana","style":"minimalist"}
        {"type":"creator","id":"c2","handle":"ana","name":"Other Ana","style":"glam"}
        {"type":"post","id":"post1","author_kind":"creator","author_id":"c1","title":"Autumn layers","body":"","product_ids":["p1"],"sponsored":true,"created_ms":5}
        {"type":"post","id":"post2","author_kind":"creator","author_id":"c1","title":"Ghost","body":"","product_ids":["p9"],"sponsored":false,"created_ms":5}
        {"type":"follow","user_id":"u1","target_kind":"creator","target_id":"c1","created_ms":6}
        {"type":"interaction","id":"i1","user_id":"u1","product_id":"p1","kind":"save","post_id":"post1","created_ms":7}
        {"type":"interaction","id":"i2","user_id":"u1","product_id":"p1","kind":"stare","created_ms":7}
        {"type":"rocket","id":"x"}
        not json at all
        {"type":"settings","user_id":"u1","personalisation":true,"updated_ms":8}
        """

    @Test func goodRowsAreImportedAndEachBadRowIsReported() async throws {
        for location in try TestDatabase.freshLocations() {
            let store = ShoppingStore(database: try Database(location))
            let report = try await CatalogImporter(store: store).importLines(Self.lines)
            #expect(report.imported == ["brand": 1, "product": 1, "creator": 1, "post": 1, "follow": 1, "interaction": 1, "settings": 1],
                    "\(location)")
            let reasons = Dictionary(uniqueKeysWithValues: report.errors.compactMap { error -> (Int, String)? in
                if case .invalidRow(let line, let reason) = error { return (line, reason) }
                return nil
            })
            #expect(reasons.count == report.errors.count)
            #expect(reasons[3] == "unknown brand 'nope'")
            #expect(reasons[4]?.contains("category") == true)
            #expect(reasons[5] == "price_cents must not be negative")
            #expect(reasons[6] == "missing field 'price_cents'")
            #expect(reasons[8] == "handle 'ana' is taken")
            #expect(reasons[10] == "unknown product 'p9'")
            #expect(reasons[13]?.contains("kind") == true)
            #expect(reasons[14]?.hasPrefix("type 'rocket'") == true)
            #expect(reasons[15] == "not valid JSON")
            #expect(Set(reasons.keys) == [3, 4, 5, 6, 8, 10, 13, 14, 15])
            let user = try await store.userContext(userId: "u1")
            #expect(user.personalisation && user.history.map(\.productId) == ["p1"] && user.follows.map(\.targetId) == ["c1"])
            // Importing the same file again: every id now exists, so nothing is written twice.
            let again = try await CatalogImporter(store: store).importLines(Self.lines)
            #expect(again.imported["brand"] == nil && again.imported["product"] == nil)
            #expect(try await store.loadWorld().products.count == 1)
        }
    }
}
