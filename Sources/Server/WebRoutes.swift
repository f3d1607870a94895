import Accounts
import Foundation
import Hummingbird
import Identity

/// `/` (the page and its script and style) and the sign-in routes of the web assistant.
extension MuseAPI {
    struct Credentials: Decodable { let username: String; let password: String }

    /// What the page learns on load: who is signed in (if anyone) and how one can sign in.
    struct SessionInfo: Encodable {
        let signedIn: Bool
        let user: User?
        let csrf: String?
        let openID: String?
        let model: String
        let modes: [String]
    }

    func addWebRoutes(to router: Router<MuseRequestContext>, _ web: WebApp) {
        router.get("/") { _, _ in Self.asset(WebPage.html, type: "text/html; charset=utf-8") }
        router.get("/app.js") { _, _ in
            Self.asset(WebScript.source + WebScriptViews.source + WebScriptImages.source + WebScriptChatLinks.source
                       + WebScriptShopping.source,
                       type: "text/javascript; charset=utf-8")
        }
        router.get("/app.css") { _, _ in Self.asset(WebPage.css, type: "text/css; charset=utf-8") }
        router.get("/web/session") { request, _ in
            let signedIn = try? await web.signedIn(request)
            return self.json(SessionInfo(signedIn: signedIn != nil, user: signedIn?.1, csrf: signedIn?.0.csrfToken,
                                         openID: web.openID == nil ? nil : web.providerName, model: self.settings.modelID,
                                         modes: ChatMode.allCases.map(\.rawValue)))
        }
        router.post("/web/signup") { request, _ in
            try WebApp.requireJSON(request)
            let body = try await self.decode(Credentials.self, from: request)
            let user = try await accountsCall { () async throws(AccountsError) in
                try await web.accounts.signUp(username: body.username, password: body.password, nowMs: web.nowMs)
            }
            return try await self.startSession(web, user)
        }
        router.post("/web/signin") { request, _ in
            try WebApp.requireJSON(request)
            let body = try await self.decode(Credentials.self, from: request)
            let user = try await accountsCall { () async throws(AccountsError) in
                try await web.accounts.signIn(username: body.username, password: body.password)
            }
            return try await self.startSession(web, user)
        }
        router.post("/web/signout") { request, _ in
            let (session, _) = try await web.signedInChanging(request)
            try await accountsCall { () async throws(AccountsError) in try await web.accounts.endSession(token: session.token) }
            var response = self.json(["signedIn": false])
            response.headers.append(web.cookie(WebApp.sessionCookie, "", maxAge: 0))
            return response
        }
        router.get("/web/oidc/start") { request, _ in try await self.beginOpenID(web, request) }
        router.get("/web/oidc/callback") { request, _ in try await self.finishOpenID(web, request) }
        addWebDataRoutes(to: router, web)
        addChatLinkRoutes(to: router, web)
        addWebShoppingRoutes(to: router, web)
    }

    /// The page loads only its own script and style; nothing inline runs.
    static let pagePolicy = "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

    static func asset(_ text: String, type: String, cacheControl: String = "no-cache", policy: String = pagePolicy) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: cacheControl, .contentSecurityPolicy: policy,
                                        // A constant, valid header name: the initializer cannot fail for it.
                                        HeaderField.Name("X-Content-Type-Options")!: "nosniff"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    func startSession(_ web: WebApp, _ user: User) async throws(APIError) -> Response {
        let session = try await accountsCall { () async throws(AccountsError) in
            try await web.accounts.startSession(userId: user.id, nowMs: web.nowMs)
        }
        var response = json(SessionInfo(signedIn: true, user: user, csrf: session.csrfToken, openID: nil, model: settings.modelID,
                                        modes: ChatMode.allCases.map(\.rawValue)))
        response.headers.append(web.cookie(WebApp.sessionCookie, session.token, maxAge: AccountStore.sessionLifetimeMs / 1000))
        return response
    }

    /// Sends the browser to the provider; a signed-in user links the provider to their account.
    func beginOpenID(_ web: WebApp, _ request: Request) async throws(APIError) -> Response {
        guard let openID = web.openID else { throw .notFound("no OpenID provider is configured", code: "oidc_unavailable") }
        let linkTo = try? await web.signedIn(request).1.id
        let (url, pending): (URL, PendingSignIn)
        do { (url, pending) = try await openID.beginSignIn() }
        catch { throw .serviceUnavailable("the sign-in provider cannot be reached: \(error)") }
        await web.pending.add(pending, linkTo: linkTo, now: web.now())
        var response = Response(status: .found, headers: [.location: url.absoluteString])
        response.headers.append(web.cookie(WebApp.signInCookie, pending.state, maxAge: Int(PendingSignIn.defaultLifetime)))
        return response
    }

    /// The provider's redirect back: state, code exchange, ID-token validation, then a session.
    func finishOpenID(_ web: WebApp, _ request: Request) async throws(APIError) -> Response {
        guard let openID = web.openID else { throw .notFound("no OpenID provider is configured", code: "oidc_unavailable") }
        let query = request.uri.queryParameters
        let callback = AuthorizationCallback(code: query.get("code"), state: query.get("state"), error: query.get("error"),
                                             errorDescription: query.get("error_description"))
        guard let state = WebApp.cookieValue(request, WebApp.signInCookie), let waiting = await web.pending.take(state: state) else {
            throw .badRequest("this sign-in was not started in this browser or has expired; start again", code: "oidc_state")
        }
        let result: SignInResult
        do { result = try await openID.completeSignIn(callback: callback, pending: waiting.pending) }
        catch { throw .unauthorized("sign-in refused: \(error)", code: "oidc_failed") }
        let identity = result.identity
        let user = try await accountsCall { () async throws(AccountsError) in
            try await web.accounts.user(forIssuer: identity.issuer, subject: identity.subject, email: identity.email,
                                        name: identity.name, linkTo: waiting.linkTo, nowMs: web.nowMs)
        }
        var response = try await startSession(web, user)
        response.status = .found
        response.headers[.location] = "/"
        response.headers.append(web.cookie(WebApp.signInCookie, "", maxAge: 0))
        return response
    }
}
