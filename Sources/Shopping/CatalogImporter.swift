import Foundation

/// JSONL import: one record per line, `{"type": "product", ...}` with the record's fields in
/// snake_case (see README "Shopping"). Good lines are imported, each bad line is reported with
/// its number and reason; references may point to the store or to earlier lines.
public struct CatalogImporter: Sendable {
    public static let recordTypes = ["brand", "product", "creator", "community", "post", "follow", "interaction", "preferences", "settings"]

    public struct Report: Sendable, Equatable {
        /// Lines imported, by record type.
        public var imported: [String: Int] = [:]
        /// One `.invalidRow` per rejected line.
        public var errors: [ShoppingError] = []
        public var total: Int { imported.values.reduce(0, +) }
    }

    let store: ShoppingStore

    public init(store: ShoppingStore) { self.store = store }

    /// Checks every line, then writes the good ones in one transaction.
    public func importLines(_ text: String) async throws -> Report {
        let existing = try await store.database.run { connection in try ShoppingStore.existingIds(connection) }
        let (world, report) = Self.parse(text, existing: existing)
        try await store.insert(world)
        return report
    }

    private struct Envelope: Decodable { let type: String }

    /// The valid records of `text` and the report; `existing`: ids already stored, by kind.
    public static func parse(_ text: String, existing: [String: Set<String>]) -> (ShoppingWorld, Report) {
        var world = ShoppingWorld()
        var report = Report()
        var known = existing
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { continue }
            let number = offset + 1
            do throws(ShoppingError) {
                let data = Data(trimmed.utf8)
                let type = try decode(Envelope.self, data, decoder, line: number).type
                func record<T: Decodable>(_ kind: T.Type) throws(ShoppingError) -> T { try decode(kind, data, decoder, line: number) }
                func check(_ condition: Bool, _ reason: @autoclosure () -> String) throws(ShoppingError) {
                    if !condition { throw .invalidRow(line: number, reason: reason()) }
                }
                func isNew(_ kind: String, _ id: String) throws(ShoppingError) {
                    try check(!id.trimmingCharacters(in: .whitespaces).isEmpty, "\(kind) id is empty")
                    try check(!(known[kind]?.contains(id) ?? false), "\(kind) '\(id)' already exists")
                }
                func exists(_ kind: String, _ id: String) throws(ShoppingError) {
                    try check(known[kind]?.contains(id) ?? false, "unknown \(kind) '\(id)'")
                }
                switch type {
                case "brand":
                    let brand = try record(Brand.self)
                    try isNew("brand", brand.id)
                    try check(!brand.name.isEmpty, "brand name is empty")
                    world.brands.append(brand)
                    known["brand", default: []].insert(brand.id)
                case "product":
                    let product = try record(Product.self)
                    try isNew("product", product.id)
                    try exists("brand", product.brandId)
                    try check(!product.title.isEmpty, "title is empty")
                    try check(product.priceCents >= 0, "price_cents must not be negative")
                    try check(product.currency.count == 3 && product.currency.allSatisfy(\.isUppercase), "currency '\(product.currency)' is not an ISO 4217 code")
                    try check(product.stock >= 0, "stock must not be negative")
                    try check(!product.region.isEmpty, "region is empty")
                    world.products.append(product)
                    known["product", default: []].insert(product.id)
                case "creator":
                    let creator = try record(Creator.self)
                    try isNew("creator", creator.id)
                    try check(!creator.handle.isEmpty && !creator.handle.contains(" ") && !creator.handle.hasPrefix("@"),
                              "handle '\(creator.handle)' must be one word without '@'")
                    try check(!(known["handle"]?.contains(creator.handle) ?? false), "handle '\(creator.handle)' is taken")
                    world.creators.append(creator)
                    known["creator", default: []].insert(creator.id)
                    known["handle", default: []].insert(creator.handle)
                case "community":
                    let community = try record(Community.self)
                    try isNew("community", community.id)
                    try check(!community.name.isEmpty, "community name is empty")
                    world.communities.append(community)
                    known["community", default: []].insert(community.id)
                case "post":
                    let post = try record(Post.self)
                    try isNew("post", post.id)
                    try exists(post.authorKind.rawValue, post.authorId)
                    try check(!post.productIds.isEmpty, "a post must tag at least one product")
                    try check(Set(post.productIds).count == post.productIds.count, "a product is tagged twice")
                    for id in post.productIds { try exists("product", id) }
                    world.posts.append(post)
                    known["post", default: []].insert(post.id)
                case "follow":
                    let follow = try record(Follow.self)
                    try check(!follow.userId.isEmpty, "user_id is empty")
                    try exists(follow.targetKind.rawValue, follow.targetId)
                    let key = ShoppingStore.followKey(follow.userId, follow.targetKind.rawValue, follow.targetId)
                    try check(known["follow", default: []].insert(key).inserted, "'\(follow.userId)' already follows \(follow.targetId)")
                    world.follows.append(follow)
                case "interaction":
                    let interaction = try record(Interaction.self)
                    try isNew("interaction", interaction.id)
                    try check(!interaction.userId.isEmpty, "user_id is empty")
                    try exists("product", interaction.productId)
                    if let post = interaction.postId { try exists("post", post) }
                    world.interactions.append(interaction)
                    known["interaction", default: []].insert(interaction.id)
                case "preferences":
                    let preferences = try record(ShoppingPreferences.self)
                    try check(!preferences.userId.isEmpty, "user_id is empty")
                    try check((preferences.budgetCents ?? 0) >= 0, "budget_cents must not be negative")
                    try check(known["preferences", default: []].insert(preferences.userId).inserted,
                              "preferences of '\(preferences.userId)' are already stored")
                    world.preferences.append(preferences)
                case "settings":
                    let settings = try record(UserSettings.self)
                    try check(known["settings", default: []].insert(settings.userId).inserted,
                              "settings of '\(settings.userId)' are already stored; change them through the API")
                    world.settings.append(settings)
                default:
                    throw .invalidRow(line: number, reason: "type '\(type)' is not one of \(recordTypes.joined(separator: ", "))")
                }
                report.imported[type, default: 0] += 1
            } catch {
                report.errors.append(error)
            }
        }
        return (world, report)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ data: Data, _ decoder: JSONDecoder, line: Int) throws(ShoppingError) -> T {
        do { return try decoder.decode(T.self, from: data) } catch let error as DecodingError {
            throw .invalidRow(line: line, reason: describe(error))
        } catch {
            throw .invalidRow(line: line, reason: "not JSON")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? snake($0.stringValue) }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, _): return "missing field '\(snake(key.stringValue))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "wrong type at '\(path(context))'"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "invalid value at '\(path(context))': \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    static func snake(_ camel: String) -> String {
        camel.reduce(into: "") { out, character in
            if character.isUppercase { out += "_" + character.lowercased() } else { out.append(character) }
        }
    }
}
