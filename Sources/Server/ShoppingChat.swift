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
        let items = try await shoppingCall { try await shopping.recommend(userId: request.user ?? Self.anonymousUser, wanted) }
        let brands = try await shoppingCall { try await shopping.brandNames() }
        let text = ShoppingConversation.answer(items, for: wanted, brands: brands)
        let cards = items.map(ShoppingCard.init)
        let id = Self.requestID("chatcmpl"), created = Int(Date().timeIntervalSince1970)
        guard request.sampling.stream == true else {
            let message = ChatCompletion.Message(role: "assistant", content: text, shopping_products: cards)
            return json(ChatCompletion(id: id, created: created, model: settings.modelID, system_fingerprint: settings.fingerprint,
                                       choices: [.init(index: 0, message: message, logprobs: nil, finish_reason: "stop")],
                                       usage: Usage(prompt: 0, completion: 0, cached: 0)))
        }
        return cannedAnswer(text, stream: true)
    }

    /// Who a chat without `user` is: nobody the store knows, so nothing personal is used.
    static let anonymousUser = "anonymous"
}
