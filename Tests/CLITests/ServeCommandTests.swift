import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `muse serve` as a user runs it: every flag documented, the environment standing in for flags,
/// and SIGTERM stopping the server only after the request in flight has its answer.
@Suite(.serialized) struct ServeCommandTests {
    @Test func helpDocumentsEveryFlagAndVariable() throws {
        let run = try CLITests.muse(["serve", "--help"])
        #expect(run.status == 0, "\(run.stderr)")
        for word in ["--host", "--port", "--model ", "--model-id", "--threads", "--ctx", "--max-queue", "--slots", "--max-body",
                     "--data-dir", "--database-url", "--config", "--auth", "--print-config",
                     "MUSE_HOST", "MUSE_PORT", "MUSE_MODEL", "MUSE_DATABASE_URL", "MUSE_AUTH", "muse.toml", "SIGTERM",
                     "--public-url", "--oidc-issuer", "--oidc-client-id", "--oidc-client-secret", "--oidc-name", "MUSE_OIDC_ISSUER",
                     "--replica-id", "MUSE_REPLICA_ID"] {
            #expect(run.stdout.contains(word), "\(word) is not in `muse serve --help`")
        }
    }

    @Test func sigtermLetsTheRequestInFlightFinish() async throws {
        // Port 0 (any free one) and the model id come from the environment.
        let server = try ServerProcess(arguments: ["serve", "--ctx", "256", "--slots", "1"],
                                       environment: ["MUSE_PORT": "0", "MUSE_HOST": "127.0.0.1", "MUSE_MODEL_ID": "smol"])
        defer { server.stop() }
        let port = try await Self.waitFor("the server to listen (stderr: \(server.stderr))") { server.port }
        let base = "http://127.0.0.1:\(port)"
        let body = #"{"model":"smol","messages":[{"role":"user","content":"Tell me a story."}],"temperature":0,"max_tokens":160,"#
            + #""logit_bias":{"0":-100,"1":-100,"2":-100}}"#
        let done = DoneFlag()
        let answer = Task {
            defer { done.set() }
            return try await Self.request(base + "/v1/chat/completions", body: body)
        }
        // On a loaded machine (the whole suite runs in parallel) the answer may come before a poll
        // sees it running; then SIGTERM still has to stop an idle server cleanly.
        _ = try await Self.waitFor("the request to run") { () -> Bool? in
            if done.isSet { return true }
            let metrics = try await Self.request(base + "/metrics").text
            return metrics.contains("\nmuse_queue_depth 1\n") ? true : nil
        }
        kill(server.process.processIdentifier, SIGTERM)
        let (status, text) = try await answer.value
        #expect(status == 200, "\(text)")
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        let usage = object?["usage"] as? [String: Any]
        #expect(usage?["completion_tokens"] as? Int == 160, "the answer ran to its limit: \(text)")
        server.process.waitUntilExit()
        #expect(server.process.terminationStatus == 0, "\(server.stderr)")
    }

    /// Status and body of a GET (no body) or a JSON POST.
    static func request(_ url: String, body: String? = nil, key: String? = nil) async throws -> (status: Int, text: String) {
        var request = URLRequest(url: try #require(URL(string: url)))
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(body.utf8)
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// Polls every 50 ms; the bound of 300 s only keeps a broken build from hanging.
    static func waitFor<T>(_ what: @autoclosure () -> String, _ condition: () async throws -> T?) async throws -> T {
        for _ in 0..<6000 {
            if let value = try? await condition() { return value }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        Issue.record("gave up waiting for \(what())")
        throw CancellationError()
    }
}

final class DoneFlag: @unchecked Sendable {  // `value` behind `lock`
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// `muse serve` running in the background, its stderr collected as it comes.
final class ServerProcess: @unchecked Sendable {  // `errorText` behind `lock`
    let process = Process()
    private let lock = NSLock()
    private var errorText = ""

    init(arguments: [String], environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: CLITests.binary)
        process.arguments = arguments
        process.environment = CLITests.isolated(environment)
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        errors.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            guard let self else { return }
            self.lock.withLock { self.errorText += text }
        }
        try process.run()
    }

    var stderr: String { lock.withLock { errorText } }

    /// The port of "serve: ... on http://HOST:PORT/v1", once the server has printed it.
    var port: Int? {
        guard let range = stderr.range(of: "on http://127.0.0.1:") else { return nil }
        return Int(stderr[range.upperBound...].prefix { $0.isNumber })
    }

    func stop() {
        if process.isRunning { process.terminate() }
    }
}

/// HTTP that never needs a cooperative thread: requests run on URLSession's threads and callers
/// block their own, so a test can watch a server while the suite keeps every core busy.
enum BlockingHTTP {
    final class Call: @unchecked Sendable {  // `result` behind `lock`; `finished` signals once
        private let lock = NSLock()
        private let finished = DispatchSemaphore(value: 0)
        private var result: (status: Int, text: String)?
        var isFinished: Bool { lock.withLock { result != nil } }
        fileprivate func finish(_ value: (status: Int, text: String)) {
            lock.withLock { result = value }
            finished.signal()
        }
        /// Waits for the answer (status 0 when the connection failed).
        func wait() -> (status: Int, text: String) {
            finished.wait()
            finished.signal()
            return lock.withLock { result ?? (0, "") }
        }
    }

    static func start(_ url: String, body: String? = nil, key: String? = nil) -> Call {
        let call = Call()
        guard let address = URL(string: url) else {
            call.finish((0, "bad URL"))
            return call
        }
        var request = URLRequest(url: address, timeoutInterval: 600)
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(body.utf8)
        }
        URLSession.shared.dataTask(with: request) { data, response, _ in
            call.finish(((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data ?? Data(), as: UTF8.self)))
        }.resume()
        return call
    }

    /// The body of a GET, or nil when it failed.
    static func get(_ url: String) -> String? {
        let answer = start(url).wait()
        return answer.status == 200 ? answer.text : nil
    }

    /// Checks every 50 ms until `condition` holds (true) or `seconds` pass (false).
    static func poll(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }
}
