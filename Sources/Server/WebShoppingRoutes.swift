import Accounts
import Foundation
import Hummingbird
import Shopping

/// What the web page's Shopping cards need: a picture per product, the page of the post a
/// reason cites, and Save / Dismiss for the signed-in user.
extension MuseAPI {
    struct WebFeedbackResult: Encodable {
        let status: String
        /// Whether the recommender uses this feedback: the user's history (dismissals included)
        /// counts only with personalisation on.
        let personalised: Bool
    }

    func addWebShoppingRoutes(to router: Router<MuseRequestContext>, _ web: WebApp) {
        router.get("/shopping/products/{id}/picture.svg") { _, context in
            let shopping = try self.requireShopping()
            let product = try await self.shoppingCall { try await shopping.product(id: context.parameters.get("id") ?? "") }
            // Drawn from catalogue text: nothing in it may load or run.
            return Self.asset(ProductPicture.svg(for: product), type: "image/svg+xml", cacheControl: "max-age=3600",
                              policy: "default-src 'none'")
        }
        router.get("/posts/{id}") { _, context in
            let shopping = try self.requireShopping()
            let detail = try await self.shoppingCall { try await shopping.post(id: context.parameters.get("id") ?? "") }
            let brands = try await self.shoppingCall { try await shopping.brandNames() }
            return Self.asset(PostPage.html(detail, brands: brands), type: "text/html; charset=utf-8")
        }
        // The partner API's feedback route takes any `user`; this one records for the session's user only.
        router.post("/web/shopping/feedback") { request, _ in
            let (_, user) = try await web.signedInChanging(request)
            let shopping = try self.requireShopping()
            let body = try await self.decode(FeedbackRequest.self, from: request)
            try await self.recordFeedback(shopping, userId: user.id, body)
            let settings = try await accountsCall { () async throws(AccountsError) in try await web.accounts.settings(userId: user.id) }
            return self.json(WebFeedbackResult(status: "recorded", personalised: settings.personalisation))
        }
    }
}
