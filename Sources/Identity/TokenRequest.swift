import Foundation

/// `application/x-www-form-urlencoded`, as token requests and query strings use it.
public enum FormEncoding {
    /// Everything but RFC 3986's unreserved characters is percent-encoded, so `+`, `&`, `=` and
    /// spaces inside values survive any decoder.
    public static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    public static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    /// Parses a form body or query string (`+` is a space); later duplicates are ignored.
    public static func decode(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func unescape(_ part: Substring) -> String? {
                part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            }
            guard let name = unescape(parts[0]), let value = unescape(parts.count > 1 ? parts[1] : "") else { continue }
            if result[name] == nil { result[name] = value }
        }
        return result
    }
}

/// The token endpoint's answer (RFC 6749 §5.1, OIDC Core §3.1.3.3).
public struct TokenResponse: Sendable, Equatable, Decodable {
    public var idToken: String
    public var accessToken: String
    public var tokenType: String
    public var expiresIn: Int?
    public var refreshToken: String?
    public var scope: String?

    enum CodingKeys: String, CodingKey {
        case idToken = "id_token", accessToken = "access_token", tokenType = "token_type"
        case expiresIn = "expires_in", refreshToken = "refresh_token", scope
    }
}

enum TokenRequest {
    /// Token responses are a few KiB (the ID token is capped at 16 KiB itself).
    static let sizeLimit = 64 * 1024

    static func authorizationCode(code: String, verifier: String, redirectURI: URL, endpoint: URL,
                                  configuration: OIDCClientConfiguration) throws(IdentityError) -> OIDCHTTPRequest {
        var form: [(String, String)] = [
            ("grant_type", "authorization_code"), ("code", code),
            ("redirect_uri", redirectURI.absoluteString), ("code_verifier", verifier),
        ]
        var headers = ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"]
        switch configuration.authentication {
        case .clientSecretBasic:
            guard let secret = configuration.clientSecret else { throw .missingClientSecret }
            // RFC 6749 §2.3.1: each part is form-encoded before the Basic encoding.
            let credentials = "\(FormEncoding.escape(configuration.clientID)):\(FormEncoding.escape(secret))"
            headers["Authorization"] = "Basic " + Data(credentials.utf8).base64EncodedString()
        case .clientSecretPost:
            guard let secret = configuration.clientSecret else { throw .missingClientSecret }
            form += [("client_id", configuration.clientID), ("client_secret", secret)]
        case .none:
            form.append(("client_id", configuration.clientID))
        }
        return OIDCHTTPRequest(method: "POST", url: endpoint, headers: headers, body: Data(FormEncoding.encode(form).utf8))
    }

    static func send(_ request: OIDCHTTPRequest, transport: any HTTPTransport) async throws(IdentityError) -> TokenResponse {
        try requireSecure(request.url)
        let response = try await transport.send(request, sizeLimit: sizeLimit)
        guard response.status == 200 else {
            let error = JSONValue.object(from: response.body)
            throw .tokenEndpointRefused(status: response.status, error: error?["error"]?.stringValue,
                                        description: error?["error_description"]?.stringValue)
        }
        guard let object = JSONValue.object(from: response.body) else { throw .malformedTokenResponse("not a JSON object") }
        guard object["id_token"]?.stringValue != nil else { throw .malformedTokenResponse("no id_token") }
        do {
            let tokens = try JSONDecoder().decode(TokenResponse.self, from: response.body)
            // RFC 6750: the only token type we can use; the comparison is case-insensitive.
            guard tokens.tokenType.lowercased() == "bearer" else {
                throw IdentityError.malformedTokenResponse("token_type \(tokens.tokenType) is not Bearer")
            }
            return tokens
        } catch let error as IdentityError {
            throw error
        } catch {
            throw .malformedTokenResponse("missing or mistyped access_token, token_type or expires_in")
        }
    }
}
