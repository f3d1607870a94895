import Foundation
import Hummingbird
import Logging
import Server
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The application on a real loopback socket: the HTTP/1.1 server `muse serve` runs, with the
/// watcher that notices a client going away.
@Suite(.serialized) struct LiveServerTests {
    /// Runs `body` against `api` served on a free loopback port.
    static func withLiveServer(_ api: MuseAPI, _ body: (_ port: Int) async throws -> Void) async throws {
        final class Port: @unchecked Sendable {
            let lock = NSLock()
            var value: Int?
        }
        let port = Port()
        var logger = Logger(label: "live-test")
        logger.logLevel = .critical  // stopping by cancellation logs errors that are no failure here
        let app = api.makeApplication(host: "127.0.0.1", port: 0, logger: logger) { bound in
            port.lock.withLock { port.value = bound }
        }
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        defer { server.cancel() }
        let bound = try await waitFor("the server to listen") { port.lock.withLock { port.value } }
        try await body(bound)
    }

    /// Polls `condition` every 20 ms until it gives a value; a bound of 120 s only keeps a broken
    /// build from hanging (no timing is asserted).
    static func waitFor<T>(_ what: String, _ condition: () async throws -> T?) async throws -> T {
        for _ in 0..<6000 {
            if let value = try await condition() { return value }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        Issue.record("gave up waiting for \(what)")
        throw CancellationError()
    }

    static func chatRequest(_ body: String, extraHeaders: String = "") -> String {
        "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\(extraHeaders)\r\n\(body)"
    }

    @Test func aCompletionAnswersOverTheSocket() async throws {
        let api = try TestServer.shared.get()
        try await Self.withLiveServer(api) { port in
            let socket = try LoopbackSocket(port: port)
            defer { socket.close() }
            let body = ChatCompletionTests.chatBody("What is the capital of France?")
            try socket.send(Self.chatRequest(body, extraHeaders: "Connection: close\r\n"))
            let response = socket.receiveAll()
            #expect(response.hasPrefix("HTTP/1.1 200"), "\(response.prefix(200))")
            let json = try #require(response.components(separatedBy: "\r\n\r\n").last)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            #expect(object["system_fingerprint"] as? String == TestServer.fingerprint)
            let expected = try ChatCompletionTests(api: api).engineAnswer("What is the capital of France?", maxTokens: 16)
            let message = (object["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any]
            #expect(message?["content"] as? String == expected)
        }
    }

    /// A non-streamed request whose client hangs up stops generating (its request ends as 499)
    /// instead of running to its token limit for nobody; a client on another connection is not
    /// affected and gets its whole answer.
    @Test func aClientThatHangsUpStopsItsGeneration() async throws {
        let api = try TestServer.makeAPI()
        defer { api.scheduler.shutdown() }
        try await Self.withLiveServer(api) { port in
            // End tokens banned: only the limit or the hang-up ends these.
            func body(maxTokens: Int) -> String {
                #"{"model":"\#(TestServer.modelID)","messages":[{"role":"user","content":"Write a long story."}],"#
                    + #""temperature":0,"max_tokens":\#(maxTokens),"logit_bias":{"0":-100,"1":-100,"2":-100}}"#
            }
            let quitter = try LoopbackSocket(port: port)
            try quitter.send(Self.chatRequest(body(maxTokens: 100000)))  // the whole context
            _ = try await Self.waitFor("the first generation to start") { api.scheduler.activeSlots == 1 ? true : nil }
            let survivor = try LoopbackSocket(port: port)
            defer { survivor.close() }
            try survivor.send(Self.chatRequest(body(maxTokens: 200), extraHeaders: "Connection: close\r\n"))
            // On a busy machine the 200 tokens may all be decoded between two polls: then the
            // metrics already count its answer.
            let client = InProcessClient(api)
            _ = try await Self.waitFor("the second generation to queue") { () -> Bool? in
                if api.scheduler.queueDepth == 2 { return true }
                let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
                return metrics.contains(#"status="200"} 1"#) ? true : nil
            }
            quitter.close()
            let answer = survivor.receiveAll()
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer.prefix(300))")
            #expect(answer.contains(#""completion_tokens":200"#))
            let text = try await Self.waitFor("the first request to end") { () -> String? in
                let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
                return metrics.contains(#"status="499""#) ? metrics : nil
            }
            #expect(text.contains(#"muse_requests_total{endpoint="/v1/chat/completions",status="499"} 1"#), "\(text)")
            #expect(text.contains(#"muse_requests_total{endpoint="/v1/chat/completions",status="200"} 1"#), "\(text)")
            _ = try await Self.waitFor("the slots to be free") { api.scheduler.queueDepth == 0 ? true : nil }
        }
    }
}

/// A blocking TCP client on 127.0.0.1, enough to send a request and hang up at will.
struct LoopbackSocket {
    struct Failure: Error, CustomStringConvertible { let description: String }
    let descriptor: Int32

    init(port: Int) throws {
        #if canImport(Glibc)
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw Failure(description: "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            _ = systemClose(descriptor)
            throw Failure(description: "connect() to port \(port) failed")
        }
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard sent > 0 else { throw Failure(description: "write() failed") }
            offset += sent
        }
    }

    /// Everything the server sends until it closes the connection.
    func receiveAll() -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            received += buffer[..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    func close() { _ = systemClose(descriptor) }
}

private func systemClose(_ descriptor: Int32) -> Int32 {
    #if canImport(Glibc)
    Glibc.close(descriptor)
    #else
    Darwin.close(descriptor)
    #endif
}
