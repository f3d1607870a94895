import Foundation
import Hummingbird
import Shopping

extension MuseAPI {
    /// Shopping mode: the last user message is searched in the catalogue for the request's `user`
    /// (with their consent, their follows and history count), and the answer is composed from the
    /// retrieved products alone: no generated product names or prices, each with its reason.
    func shoppingAnswer(_ request: ChatCompletionRequest) async throws -> Response {
        guard let shopping else {
            throw APIError.badRequest("Shopping mode needs the shopping catalogue, which this server was started without",
                                      param: "mode", code: "mode_unavailable")
        }
        guard let message = request.messages.last(where: { $0.role == "user" })?.content?.text,
              !message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIError.badRequest("Shopping mode needs a user message to search for", param: "messages")
        }
        let wanted = ShoppingConversation.request(from: message)
        let found = try await shoppingCards(shopping, userId: request.user ?? Self.anonymousUser, wanted)
        let brands = Dictionary(found.compactMap { entry in entry.card.brand.map { (entry.item.product.brandId, $0) } },
                                uniquingKeysWith: { first, _ in first })
        let text = ShoppingConversation.answer(found.map(\.item), for: wanted, brands: brands)
        // Streamed, the cards ride on the first chunk's delta (`delta.shopping_products`).
        return cannedAnswer(text, stream: request.sampling.stream ?? false, products: found.map(\.card))
    }

    /// Who a chat without `user` is: nobody the store knows, so nothing personal is used.
    static let anonymousUser = "anonymous"
}
