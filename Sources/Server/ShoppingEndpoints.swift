import Foundation
import Generation
import Hummingbird
import Shopping

/// all-MiniLM-L6-v2 (Generation's TextEmbedder) as Shopping's embedder, one text at a time.
public final class EngineTextEmbedding: TextEmbedding, @unchecked Sendable {  // `embedder` used behind `lock`
    public let modelName: String
    private let embedder: TextEmbedder
    private let lock = NSLock()

    public init(_ embedder: TextEmbedder) {
        self.embedder = embedder
        modelName = URL(fileURLWithPath: embedder.folder).lastPathComponent
    }

    public func embed(_ text: String) throws -> [Float] { try lock.withLock { try embedder.embed(text) } }
}

/// The shopping routes: recommendations, feedback, consent, reset, import.
extension MuseAPI {
    /// The routes exist on every server; without a catalogue they answer 400 `shopping_unavailable`.
    func addShoppingRoutes(to router: Router<MuseRequestContext>) {
        router.get("/v1/shopping/recommendations") { request, _ in
            let shopping = try self.requireShopping()
            let cards = try await self.shoppingCards(shopping, userId: try Self.user(request.uri.queryParameters.get("user")),
                                                     try Self.recommendationRequest(request.uri.queryParameters))
            return self.json(RecommendationList(data: cards.map(\.card), user: request.uri.queryParameters.get("user") ?? ""))
        }
        router.post("/v1/shopping/feedback") { request, _ in
            let shopping = try self.requireShopping()
            let body = try await self.decode(FeedbackRequest.self, from: request)
            try await self.recordFeedback(shopping, userId: try Self.user(body.user), body)
            return self.json(["status": "recorded"])
        }
        router.post("/v1/shopping/consent") { request, _ in
            let shopping = try self.requireShopping()
            let body = try await self.decode(ConsentRequest.self, from: request)
            try await self.shoppingCall {
                try await shopping.store.setPersonalisation(userId: try Self.user(body.user), enabled: body.personalisation, nowMs: Self.nowMs)
            }
            return self.json(ConsentRequest(user: body.user, personalisation: body.personalisation))
        }
        router.post("/v1/shopping/reset") { request, _ in
            let shopping = try self.requireShopping()
            let body = try await self.decode(ResetRequest.self, from: request)
            let forgotten = try await self.shoppingCall { try await shopping.store.resetInterests(userId: try Self.user(body.user)) }
            return self.json(["forgotten_interactions": forgotten])
        }
        router.post("/v1/shopping/import") { request, _ in
            let shopping = try self.requireShopping()
            let buffer: ByteBuffer
            do { buffer = try await request.body.collect(upTo: self.settings.bodyLimit) } catch {
                throw APIError.payloadTooLarge(limit: self.settings.bodyLimit)
            }
            let report = try await self.shoppingCall { try await shopping.importLines(String(buffer: buffer)) }
            return self.json(ImportResult(report))
        }
    }

    /// Recommendations with their cards (brand names filled in), for the API, the chat and the page.
    func shoppingCards(_ shopping: ShoppingService, userId: String,
                       _ wanted: RecommendationRequest) async throws -> [(item: Recommendation, card: ProductCard)] {
        let items = try await shoppingCall { try await shopping.recommend(userId: userId, wanted) }
        let brands = try await shoppingCall { try await shopping.brandNames() }
        return items.map { ($0, ProductCard($0, brand: brands[$0.product.brandId])) }
    }

    /// A save, dismissal, ... of `userId` (the API's `user`, or the signed-in web user).
    func recordFeedback(_ shopping: ShoppingService, userId: String, _ body: FeedbackRequest) async throws {
        guard let kind = InteractionKind(rawValue: body.kind) else {
            throw APIError.badRequest("kind '\(body.kind)' is not one of \(InteractionKind.allCases.map(\.rawValue).joined(separator: ", "))",
                                      param: "kind")
        }
        try await shoppingCall {
            try await shopping.feedback(userId: userId, productId: body.product_id, kind: kind, postId: body.post_id, nowMs: Self.nowMs)
        }
    }

    func requireShopping() throws(APIError) -> ShoppingService {
        guard let shopping else {
            throw .badRequest("this server was started without the shopping catalogue", code: "shopping_unavailable")
        }
        return shopping
    }

    static var nowMs: Int { Int(Date().timeIntervalSince1970 * 1000) }

    static func user(_ value: String?) throws(APIError) -> String {
        guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .badRequest("give the user's id in 'user'", param: "user")
        }
        return value
    }

    /// Filters from the query string: query, category, min_price / max_price (in cents) and the
    /// currency they are in, size, in_stock, limit.
    static func recommendationRequest(_ parameters: Hummingbird.Parameters) throws(APIError) -> RecommendationRequest {
        func int(_ name: String) throws(APIError) -> Int? {
            guard let text = parameters.get(name) else { return nil }
            guard let value = Int(text) else { throw .badRequest("\(name) must be an integer", param: name) }
            return value
        }
        var request = RecommendationRequest(query: parameters.get("query"), minPriceCents: try int("min_price"),
                                            maxPriceCents: try int("max_price"), size: parameters.get("size"), limit: try int("limit") ?? 20)
        request.priceCurrency = parameters.get("currency")?.uppercased()
        if let category = parameters.get("category") {
            guard let value = ProductCategory(rawValue: category) else {
                throw .badRequest("category must be one of \(ProductCategory.allCases.map(\.rawValue).joined(separator: ", "))",
                                  param: "category")
            }
            request.category = value
        }
        switch parameters.get("in_stock") {
        case nil, "false", "0": break
        case "true", "1": request.inStockOnly = true
        default: throw .badRequest("in_stock must be true or false", param: "in_stock")
        }
        return request
    }

    /// Shopping's errors as API errors (400 for bad input, 404 for unknown ids).
    @discardableResult
    func shoppingCall<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as ShoppingError {
            switch error {
            case .invalidArgument(let message): throw APIError.badRequest(message)
            case .invalidRow(let line, let reason): throw APIError.badRequest("line \(line): \(reason)")
            case .unknown(let kind, let id): throw APIError.notFound("unknown \(kind) '\(id)'", code: "\(kind)_not_found")
            case .storage, .embedding: throw APIError.internalFailure(error.description)
            }
        }
    }
}

struct RecommendationList: Encodable, Sendable {
    var object = "list"
    let data: [ProductCard]
    let user: String
}

struct FeedbackRequest: Decodable, Sendable {
    let user: String?
    let product_id: String
    let kind: String
    let post_id: String?
}

struct ConsentRequest: Codable, Sendable {
    let user: String?
    let personalisation: Bool
}

struct ResetRequest: Decodable, Sendable { let user: String? }

struct ImportResult: Encodable, Sendable {
    let imported: [String: Int]
    let errors: [Row]
    struct Row: Encodable, Sendable { let line: Int; let reason: String }

    init(_ report: CatalogImporter.Report) {
        imported = report.imported
        errors = report.errors.compactMap { error in
            if case .invalidRow(let line, let reason) = error { return Row(line: line, reason: reason) }
            return nil
        }
    }
}
