import Accounts
import Foundation
import Hummingbird
import Messaging

/// The signed-in user's chat-app links: a one-time code to send from WhatsApp, Messenger or
/// Instagram, the identities linked so far (sender ids masked), and unlinking. Scoped by the
/// session's user like every other web data route; changes need the CSRF header.
extension MuseAPI {
    /// A fresh code as the page shows it, with the exact text to send.
    struct ChatLinkCode: Encodable {
        let code: String
        let command: String
        let expiresMs: Int
    }

    func addChatLinkRoutes(to router: Router<MuseRequestContext>, _ web: WebApp) {
        router.post("/web/chat-links/code") { request, _ in
            let (_, user) = try await web.signedInChanging(request)
            let issued = try await chatLinksCall { () async throws(MessagingError) in
                try await web.chatLinks.issueLinkCode(userID: user.id, accountName: user.displayName, now: web.nowMs)
            }
            return self.json(ChatLinkCode(code: issued.code, command: "link " + issued.code, expiresMs: issued.expiresMs),
                             status: .created)
        }
        router.get("/web/chat-links") { request, _ in
            let (_, user) = try await web.signedIn(request)
            return self.json(try await chatLinksCall { () async throws(MessagingError) in
                try await web.chatLinks.linkedChats(userID: user.id)
            })
        }
        router.delete("/web/chat-links/{id}") { request, context in
            let (_, user) = try await web.signedInChanging(request)
            let id = context.parameters.get("id") ?? ""
            let unlinked = try await chatLinksCall { () async throws(MessagingError) in
                try await web.chatLinks.unlink(conversationID: id, userID: user.id)
            }
            guard unlinked else { throw APIError.notFound("no linked chat \(id) on this account") }
            return self.json(["unlinked": id])
        }
    }
}

/// Runs a chat-link store call, its failure as a 500 (the store is the only thing that can fail).
func chatLinksCall<T>(_ body: () async throws(MessagingError) -> T) async throws(APIError) -> T {
    do { return try await body() } catch { throw .internalFailure("\(error)") }
}
