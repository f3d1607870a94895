import Foundation
import Hummingbird
import Messaging

/// `GET` and `POST /webhooks/{whatsapp,messenger,instagram}`: Meta's verification handshake and
/// event notifications. Not behind partner keys (Meta has none of ours) but behind the
/// verify token and the body's signature. A POST is answered once its events are stored; the
/// answers are written and sent by the messaging worker.
extension MuseAPI {
    func addWebhookRoutes(_ messaging: MessagingService, to router: Router<MuseRequestContext>) {
        for platform in MessagingPlatform.allCases {
            let path = RouterPath(stringLiteral: "/webhooks/\(platform.rawValue)")
            router.get(path) { request, _ in
                let query = request.uri.queryParameters
                // PHP-style proxies rename `hub.mode` to `hub_mode`; both are accepted.
                func parameter(_ name: String) -> String? {
                    (query["hub.\(name)"] ?? query["hub_\(name)"]).map(String.init)
                }
                do {
                    let challenge = try messaging.security.challengeResponse(
                        mode: parameter("mode"), verifyToken: parameter("verify_token"), challenge: parameter("challenge"))
                    return Response(status: .ok, headers: [.contentType: "text/plain"],
                                    body: ResponseBody(byteBuffer: ByteBuffer(string: challenge)))
                } catch {
                    return Self.webhookError(.forbidden, error)
                }
            }
            router.post(path) { request, _ in
                let buffer: ByteBuffer
                do { buffer = try await request.body.collect(upTo: self.settings.bodyLimit) }
                catch { throw APIError.payloadTooLarge(limit: self.settings.bodyLimit) }
                do {
                    try await messaging.receive(body: Data(buffer.readableBytesView),
                                                signatureHeader: request.headers.first { $0.name.canonicalName == "x-hub-signature-256" }?.value,
                                                platform: platform)
                } catch {
                    switch error as? MessagingError {
                    case .badSignature?: return Self.webhookError(.forbidden, error)
                    case .malformedPayload?, .wrongPlatform?: return Self.webhookError(.badRequest, error)
                    // A store failure: 500, so Meta delivers the event again later.
                    default: return Self.webhookError(.internalServerError, error)
                    }
                }
                return Response(status: .ok, headers: [.contentType: "text/plain"],
                                body: ResponseBody(byteBuffer: ByteBuffer(string: "EVENT_RECEIVED")))
            }
        }
    }

    static func webhookError(_ status: HTTPResponse.Status, _ error: any Error) -> Response {
        OpenAIErrorMiddleware.response(status, body: APIError.internalFailure("\(error)").body(type: "invalid_request_error"))
    }
}
