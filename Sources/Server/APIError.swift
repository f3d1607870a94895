import Foundation
import HTTPTypes

/// Every failure the HTTP API reports, in OpenAI's error shape
/// (`{"error": {"message", "type", "param", "code"}}`) with its status.
public enum APIError: Error, Equatable, Sendable {
    case badRequest(String, param: String? = nil, code: String? = nil)
    case notFound(String, code: String? = nil)
    case payloadTooLarge(limit: Int)
    case serviceUnavailable(String)
    /// No key, an unknown key or a revoked one (`code`: missing_api_key, invalid_api_key, revoked_api_key).
    case unauthorized(String, code: String)
    /// A valid key that may not do this (a model outside its allow-list).
    case forbidden(String, code: String)
    /// Over a per-key limit; `kind` is "requests" or "tokens", as OpenAI's error type says.
    case rateLimited(String, kind: String, retryAfterSeconds: Int)
    /// The client went away before its answer was ready (nginx's 499; nobody reads the body).
    case clientClosedRequest
    case internalFailure(String)

    public var status: HTTPResponse.Status {
        switch self {
        case .badRequest: return .badRequest
        case .notFound: return .notFound
        case .payloadTooLarge: return .contentTooLarge
        case .serviceUnavailable: return .serviceUnavailable
        case .unauthorized: return .unauthorized
        case .forbidden: return .forbidden
        case .rateLimited: return .tooManyRequests
        case .clientClosedRequest: return .init(code: 499, reasonPhrase: "Client Closed Request")
        case .internalFailure: return .internalServerError
        }
    }

    public var message: String {
        switch self {
        case .badRequest(let message, _, _), .notFound(let message, _), .serviceUnavailable(let message),
             .internalFailure(let message), .unauthorized(let message, _), .forbidden(let message, _),
             .rateLimited(let message, _, _):
            return message
        case .payloadTooLarge(let limit): return "request body larger than \(limit) bytes"
        case .clientClosedRequest: return "the client closed the connection before the answer was ready"
        }
    }

    var type: String {
        switch self {
        case .badRequest, .payloadTooLarge, .clientClosedRequest: return "invalid_request_error"
        case .notFound: return "not_found_error"
        case .serviceUnavailable: return "server_overloaded"
        case .internalFailure: return "server_error"
        case .unauthorized: return "invalid_request_error"
        case .forbidden: return "permission_error"
        case .rateLimited(_, let kind, _): return kind
        }
    }

    var param: String? {
        if case .badRequest(_, let param, _) = self { return param }
        return nil
    }

    var code: String? {
        switch self {
        case .badRequest(_, _, let code), .notFound(_, let code): return code
        case .unauthorized(_, let code), .forbidden(_, let code): return code
        case .rateLimited: return "rate_limit_exceeded"
        case .payloadTooLarge: return "payload_too_large"
        case .serviceUnavailable: return "queue_full"
        case .clientClosedRequest: return "client_closed_request"
        case .internalFailure: return nil
        }
    }

    /// Headers the error carries besides its body: `Retry-After` on 429, `WWW-Authenticate` on 401.
    var headers: HTTPFields {
        switch self {
        case .rateLimited(_, _, let seconds): return [.retryAfter: String(seconds)]
        case .unauthorized: return [.wwwAuthenticate: "Bearer"]
        default: return [:]
        }
    }

    /// The JSON body, with explicit nulls as OpenAI sends them.
    var body: Data { body(type: type) }

    func body(type: String) -> Data {
        struct Envelope: Encodable {
            struct Detail: Encodable {
                let message: String, type: String, param: String?, code: String?
                func encode(to encoder: any Encoder) throws {
                    var c = encoder.container(keyedBy: CodingKeys.self)
                    try c.encode(message, forKey: .message)
                    try c.encode(type, forKey: .type)
                    try c.encode(param, forKey: .param)
                    try c.encode(code, forKey: .code)
                }
                enum CodingKeys: String, CodingKey { case message, type, param, code }
            }
            let error: Detail
        }
        let envelope = Envelope(error: .init(message: message, type: type, param: param, code: code))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]  // "no route GET /x", not "\/x"
        return (try? encoder.encode(envelope)) ?? Data(#"{"error":{"message":"error","type":"server_error","param":null,"code":null}}"#.utf8)
    }
}
