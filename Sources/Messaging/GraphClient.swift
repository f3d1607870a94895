import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// How one send went, as the outbox needs to know it.
public enum SendOutcome: Sendable, Equatable {
    /// Accepted; the platform's id of the new message (delivery statuses name it).
    case sent(remoteID: String)
    /// Worth trying again later: 429, 5xx, or no answer at all.
    case retryable(String)
    /// Refused for good (4xx: bad recipient, expired token, outside the window): a poison message.
    case rejected(String)
}

/// An image fetched for an inbound message and checked: the hook the vision path takes.
public struct ReceivedImage: Sendable, Equatable {
    public let data: Data
    /// `image/jpeg` or `image/png`, as the bytes themselves say.
    public let mimeType: String
    public let sha256: String

    public init(data: Data, mimeType: String, sha256: String) { (self.data, self.mimeType, self.sha256) = (data, mimeType, sha256) }
}

/// The Graph API calls the surfaces need: the three send endpoints and media download.
/// `baseURL` includes the version (`https://graph.facebook.com/v25.0`); tests point it at a loopback server.
public struct GraphClient: Sendable {
    public let baseURL: URL
    private let accessToken: String
    /// Graph answers in well under a second; ten seconds covers a slow one without letting a
    /// stalled endpoint hold the outbox worker for the system default of a minute.
    public static let timeout: TimeInterval = 10
    /// WhatsApp accepts JPEG/PNG images up to 5 MB (PRODUCT-NOTES.md 3.2); we take no larger.
    public static let imageLimit = 5 << 20

    public init(baseURL: String, accessToken: String) throws(MessagingError) {
        guard let url = URL(string: baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL),
              ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
            throw .invalidConfiguration("the Graph base URL '\(baseURL)' is not an http(s) URL")
        }
        guard !accessToken.isEmpty else { throw .invalidConfiguration("the access token is empty") }
        (self.baseURL, self.accessToken) = (url, accessToken)
    }

    /// Sends `text` to `recipient` from `businessID` in the platform's format.
    public func sendText(_ text: String, platform: MessagingPlatform, from businessID: String, to recipient: String) async -> SendOutcome {
        let body: [String: Any]
        switch platform {
        case .whatsapp:
            body = ["messaging_product": "whatsapp", "recipient_type": "individual", "to": recipient, "type": "text",
                    "text": ["preview_url": false, "body": text]]
        case .messenger:
            body = ["recipient": ["id": recipient], "messaging_type": "RESPONSE", "message": ["text": text]]
        case .instagram:
            body = ["recipient": ["id": recipient], "message": ["text": text]]
        }
        let response: (status: Int, body: Data)
        do {
            let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
            response = try await send(method: "POST", url: endpoint(businessID, "messages"), body: data, sizeLimit: 1 << 16)
        } catch let error as MessagingError { return .retryable("\(error)") } catch { return .retryable("\(error)") }
        let text = String(decoding: response.body, as: UTF8.self)
        switch response.status {
        case 200..<300:
            guard let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
                  let id = (object["messages"] as? [[String: Any]])?.first?["id"] as? String ?? object["message_id"] as? String else {
                return .rejected("accepted without a message id: \(text.prefix(200))")
            }
            return .sent(remoteID: id)
        case 429, 500..<600: return .retryable("HTTP \(response.status): \(text.prefix(200))")
        default: return .rejected("HTTP \(response.status): \(text.prefix(200))")
        }
    }

    /// Downloads an inbound image: a WhatsApp media id is resolved through Graph first (its
    /// short-lived URL is fetched at once, with the token, as Meta asks); a Messenger/Instagram
    /// attachment URL is signed already and gets no token, which must not leave for a CDN.
    public func downloadImage(_ reference: MediaReference) async throws(MessagingError) -> ReceivedImage {
        let data: Data, expectedSHA: String?
        switch reference {
        case .graphMediaID(let id, let sha):
            let meta = try await send(method: "GET", url: endpoint(id), body: nil, sizeLimit: 1 << 16)
            guard meta.status == 200 else { throw .graphStatus(meta.status, body: String(decoding: meta.body, as: UTF8.self)) }
            guard let object = try? JSONSerialization.jsonObject(with: meta.body) as? [String: Any],
                  let link = object["url"] as? String, let url = URL(string: link) else {
                throw .malformedGraphResponse("media \(id) has no url")
            }
            let media = try await send(method: "GET", url: url, body: nil, sizeLimit: Self.imageLimit)
            guard media.status == 200 else { throw .graphStatus(media.status, body: "media download") }
            (data, expectedSHA) = (media.body, sha ?? object["sha256"] as? String)
        case .url(let link):
            guard let url = URL(string: link), ["http", "https"].contains(url.scheme?.lowercased() ?? "") else {
                throw .invalidMedia("attachment URL '\(link.prefix(100))' is not http(s)")
            }
            let media = try await send(method: "GET", url: url, body: nil, sizeLimit: Self.imageLimit, authorized: false)
            guard media.status == 200 else { throw .graphStatus(media.status, body: "attachment download") }
            (data, expectedSHA) = (media.body, nil)
        }
        return try Self.validate(data, expectedSHA256: expectedSHA)
    }

    /// Only JPEG and PNG, by their magic bytes, within the size limit, matching the checksum
    /// the webhook announced.
    static func validate(_ data: Data, expectedSHA256: String?) throws(MessagingError) -> ReceivedImage {
        guard !data.isEmpty else { throw .invalidMedia("empty image") }
        guard data.count <= imageLimit else { throw .invalidMedia("\(data.count) bytes is over the \(imageLimit)-byte limit") }
        let head = Array(data.prefix(8))
        let mime: String
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { mime = "image/jpeg" }
        else if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { mime = "image/png" }
        else { throw .invalidMedia("neither JPEG nor PNG") }
        let sha = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        // WhatsApp has sent the checksum as hex and as base64 over time; either matches.
        if let expected = expectedSHA256, !expected.isEmpty,
           expected.lowercased() != sha, expected != Data(SHA256.hash(data: data)).base64EncodedString() {
            throw .invalidMedia("sha256 \(sha) does not match the announced \(expected)")
        }
        return ReceivedImage(data: data, mimeType: mime, sha256: sha)
    }

    private func endpoint(_ components: String...) -> URL {
        components.reduce(baseURL) { $0.appendingPathComponent($1) }
    }

    private func send(method: String, url: URL, body: Data?, sizeLimit: Int,
                      authorized: Bool = true) async throws(MessagingError) -> (status: Int, body: Data) {
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: Self.timeout)
        request.httpMethod = method
        if authorized { request.setValue("Bearer \(accessToken)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let result: Result<(Int, Data), MessagingError> = await withCheckedContinuation { continuation in
            let task = URLSession.shared.dataTask(with: request) { data, response, error in
                if let error { return continuation.resume(returning: .failure(.network(error.localizedDescription))) }
                guard let http = response as? HTTPURLResponse else {
                    return continuation.resume(returning: .failure(.network("no HTTP response from \(url.host ?? "?")")))
                }
                let data = data ?? Data()
                guard data.count <= sizeLimit else {
                    return continuation.resume(returning: .failure(.invalidMedia("answer over \(sizeLimit) bytes")))
                }
                continuation.resume(returning: .success((http.statusCode, data)))
            }
            task.resume()
        }
        return try result.get()
    }
}
