import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Asks a running `muse serve` through the public API, exactly as a partner would.
public struct EvalClient: Sendable {
    public let baseURL: String
    public let apiKey: String?
    /// A Contemplating answer waits for its samples behind other requests: allow minutes.
    static let timeout: TimeInterval = 900
    /// The shared session's 60 s request timeout would cut long answers; this one waits.
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.default
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        return URLSession(configuration: configuration)
    }()

    public init(baseURL: String, apiKey: String?) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
    }

    public struct Answer: Sendable {
        public let content: String
        public let reasoning: String?
        public let fingerprint: String
        public let model: String
    }

    func request(_ path: String, body: [String: Any]?) async throws -> [String: Any] {
        guard let url = URL(string: baseURL + path) else { throw EvaluationError.server("bad base URL \(baseURL)") }
        var headers: [(String, String)] = []
        if let apiKey { headers.append(("Authorization", "Bearer \(apiKey)")) }
        var payload: Data?
        if let body {
            headers.append(("Content-Type", "application/json"))
            payload = try JSONSerialization.data(withJSONObject: body)
        }
        let (status, data) = try await send(url: url, method: payload == nil ? "GET" : "POST", headers: headers, body: payload)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw EvaluationError.server("\(path): HTTP \(status), not JSON")
        }
        guard status == 200 else {
            let message = (object["error"] as? [String: Any])?["message"] as? String ?? "HTTP \(status)"
            throw EvaluationError.server("\(path): HTTP \(status): \(message)")
        }
        return object
    }

    /// Plain `http` over SwiftNIO (see `PlainHTTPClient` for why); `https` through URLSession.
    func send(url: URL, method: String, headers: [(String, String)], body: Data?) async throws -> (status: Int, body: Data) {
        if url.scheme == "http" {
            let response = try await PlainHTTPClient().send(method: method, url: url, headers: headers, body: body, timeout: Self.timeout)
            return (response.status, response.body)
        }
        var request = URLRequest(url: url, timeoutInterval: Self.timeout)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body
        let (data, response) = try await Self.session.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    /// The first model the server lists (the served language model).
    public func servedModel() async throws -> String {
        let list = try await request("/models", body: nil)
        guard let id = (list["data"] as? [[String: Any]])?.first?["id"] as? String else {
            throw EvaluationError.server("/models lists no model")
        }
        return id
    }

    /// Asks one question; `image` (a data URL) goes with it as an `image_url` content part.
    public func ask(model: String, mode: String, system: String?, prompt: String, image: String? = nil,
                    temperature: Double, maxTokens: Int, seed: Int) async throws -> Answer {
        var messages: [[String: Any]] = []
        if let system { messages.append(["role": "system", "content": system]) }
        if let image {
            messages.append(["role": "user", "content": [["type": "text", "text": prompt],
                                                         ["type": "image_url", "image_url": ["url": image]]]])
        } else {
            messages.append(["role": "user", "content": prompt])
        }
        var body: [String: Any] = ["model": model, "messages": messages, "temperature": temperature, "max_tokens": maxTokens,
                                   "seed": seed]
        if mode != "default" { body["mode"] = mode }
        let object = try await request("/chat/completions", body: body)
        let message = (object["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any]
        return Answer(content: message?["content"] as? String ?? "", reasoning: message?["reasoning_content"] as? String,
                      fingerprint: object["system_fingerprint"] as? String ?? "", model: object["model"] as? String ?? model)
    }
}
