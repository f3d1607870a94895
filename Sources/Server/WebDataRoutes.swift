import Accounts
import Foundation
import Hummingbird

/// The signed-in user's data as JSON: conversations, memory, settings, export, deletion.
/// Every route reads the user from the session and scopes every query by that user's id.
extension MuseAPI {
    struct NewConversation: Decodable { let mode: String?; let title: String? }
    struct FactBody: Decodable { let text: String }
    struct ConversationDetail: Encodable { let conversation: Conversation; let messages: [ConversationMessage] }
    struct PrivacyOverview: Encodable { let settings: PrivacySettings; let uses: [PersonalisationUse] }

    func addWebDataRoutes(to router: Router<MuseRequestContext>, _ web: WebApp) {
        router.get("/web/conversations") { request, _ in
            let (_, user) = try await web.signedIn(request)
            return self.json(try await accountsCall { () async throws(AccountsError) in try await web.accounts.conversations(userId: user.id) })
        }
        router.post("/web/conversations") { request, _ in
            let (_, user) = try await web.signedInChanging(request)
            let body = try await self.decode(NewConversation.self, from: request)
            let mode = try Self.webMode(body.mode)
            return self.json(try await accountsCall { () async throws(AccountsError) in
                try await web.accounts.createConversation(userId: user.id, title: body.title ?? "", mode: mode, nowMs: web.nowMs)
            }, status: .created)
        }
        router.get("/web/conversations/{id}") { request, context in
            let (_, user) = try await web.signedIn(request)
            let id = context.parameters.get("id") ?? ""
            return self.json(try await accountsCall { () async throws(AccountsError) in
                ConversationDetail(conversation: try await web.accounts.conversation(id: id, userId: user.id),
                                   messages: try await web.accounts.messages(conversationId: id, userId: user.id))
            })
        }
        router.delete("/web/conversations/{id}") { request, context in
            let (_, user) = try await web.signedInChanging(request)
            let id = context.parameters.get("id") ?? ""
            try await accountsCall { () async throws(AccountsError) in try await web.accounts.deleteConversation(id: id, userId: user.id) }
            return self.json(["deleted": id])
        }
        router.post("/web/conversations/{id}/messages") { request, context in
            let (_, user) = try await web.signedInChanging(request)
            let body = try await self.decode(WebMessageRequest.self, from: request)
            return try await self.webAnswer(web, user: user, conversationId: context.parameters.get("id") ?? "", body)
        }
        router.get("/web/memory") { request, _ in
            let (_, user) = try await web.signedIn(request)
            return self.json(try await accountsCall { () async throws(AccountsError) in try await web.accounts.memory(userId: user.id) })
        }
        router.post("/web/memory") { request, _ in
            let (_, user) = try await web.signedInChanging(request)
            let body = try await self.decode(FactBody.self, from: request)
            return self.json(try await accountsCall { () async throws(AccountsError) in
                try await web.accounts.addFact(userId: user.id, text: body.text, nowMs: web.nowMs)
            }, status: .created)
        }
        router.put("/web/memory/{id}") { request, context in
            let (_, user) = try await web.signedInChanging(request)
            let body = try await self.decode(FactBody.self, from: request)
            let id = context.parameters.get("id") ?? ""
            try await accountsCall { () async throws(AccountsError) in
                try await web.accounts.editFact(id: id, userId: user.id, text: body.text, nowMs: web.nowMs)
            }
            return self.json(["updated": id])
        }
        router.delete("/web/memory/{id}") { request, context in
            let (_, user) = try await web.signedInChanging(request)
            let id = context.parameters.get("id") ?? ""
            try await accountsCall { () async throws(AccountsError) in try await web.accounts.deleteFact(id: id, userId: user.id) }
            return self.json(["deleted": id])
        }
        router.get("/web/privacy") { request, _ in
            let (_, user) = try await web.signedIn(request)
            return self.json(try await accountsCall { () async throws(AccountsError) in
                PrivacyOverview(settings: try await web.accounts.settings(userId: user.id),
                                uses: try await web.accounts.personalisationUses(userId: user.id))
            })
        }
        router.put("/web/settings") { request, _ in
            let (_, user) = try await web.signedInChanging(request)
            let settings = try await self.decode(PrivacySettings.self, from: request)
            try await accountsCall { () async throws(AccountsError) in
                try await web.accounts.updateSettings(userId: user.id, settings, nowMs: web.nowMs)
            }
            return self.json(settings)
        }
        router.get("/web/export") { request, _ in
            let (_, user) = try await web.signedIn(request)
            let export = try await accountsCall { () async throws(AccountsError) in try await web.accounts.export(userId: user.id, nowMs: web.nowMs) }
            var response = self.json(export)
            response.headers[.contentDisposition] = "attachment; filename=\"muse-export.json\""
            return response
        }
        router.delete("/web/account") { request, _ in
            let (_, user) = try await web.signedInChanging(request)
            let rows = try await accountsCall { () async throws(AccountsError) in try await web.accounts.deleteAccount(userId: user.id) }
            var response = self.json(["deletedRows": rows])
            response.headers.append(web.cookie(WebApp.sessionCookie, "", maxAge: 0))
            return response
        }
    }

    /// A mode name from the page (default Instant).
    static func webMode(_ name: String?) throws(APIError) -> String {
        guard let name, !name.isEmpty else { return ChatMode.instant.rawValue }
        guard ChatMode(rawValue: name) != nil else {
            throw .badRequest("mode '\(name)' is not one of \(ChatMode.allCases.map(\.rawValue).joined(separator: ", "))", param: "mode")
        }
        return name
    }
}
