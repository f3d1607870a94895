import Foundation
import Hummingbird
import Logging
import Server
import Testing

/// SSRF refusals: every non-public destination fails before a connection is tried.
@Suite struct ImageSourceAddressTests {
    let source = ImageSource()

    private func refusal(_ url: String) async -> String? {
        do {
            _ = try await source.bytes(for: url)
            return nil
        } catch {
            return error.message
        }
    }

    @Test(arguments: [
        "http://127.0.0.1/a.png", "http://[::1]/a.png", "http://10.1.2.3/a.png", "http://172.20.0.1/a.png",
        "http://192.168.1.1/a.png", "http://169.254.169.254/latest", "http://100.64.0.1/a.png", "http://0.0.0.0/a.png",
        "http://224.0.0.1/a.png", "http://[fe80::1]/a.png", "http://[fd00::1]/a.png", "http://[ff02::1]/a.png",
        "http://[::ffff:127.0.0.1]/a.png", "http://localhost/a.png",
    ])
    func nonPublicAddressesAreRefused(url: String) async {
        #expect(await refusal(url)?.contains("non-public address") == true, "\(url)")
    }

    @Test func onlyHTTPAndDataURLsAreFetched() async {
        #expect(await refusal("ftp://example.com/a.png")?.contains("must be a data: URL or an http(s) URL") == true)
        #expect(await refusal("gopher://127.0.0.1:6379/_INFO")?.contains("must be a data: URL or an http(s) URL") == true)
        #expect(await refusal("data:image/png;base64,@@@@")?.contains("not valid base64") == true)
    }

    @Test func oversizedDataURLsAreRefusedBeforeDecoding() async {
        let small = ImageSource(policy: .init(timeout: 1, maxBytes: 30, maxRedirects: 0))
        let payload = String(repeating: "A", count: 400)
        do {
            _ = try await small.bytes(for: "data:image/png;base64," + payload)
            Issue.record("an oversized data URL was accepted")
        } catch {
            #expect(error.message.contains("over the limit of 30 bytes"))
        }
    }
}

/// Fetches from an image host on loopback (allowed by the test override only): the body, redirects
/// (re-checked and limited), the size cap, HTTP errors. Runs with the sign-in tests, apart from the
/// model suites (scripts/test.sh), because the host answers on the cooperative pool.
@Suite(.serialized) struct RemoteImageTests {
    static func withImageHost(_ body: (Int) async throws -> Void) async throws {
        let label = try LabelImage.bytes()
        let router = Router()
        router.get("label.png") { _, _ in
            Response(status: .ok, headers: [.contentType: "image/png"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: label)))
        }
        router.get("moved") { _, _ in Response(status: .found, headers: [.location: "/label.png"]) }
        router.get("loop") { _, _ in Response(status: .found, headers: [.location: "/loop"]) }
        router.get("to-metadata") { _, _ in Response(status: .found, headers: [.location: "http://169.254.169.254/latest"]) }
        router.get("big") { _, _ in String(repeating: "x", count: 1 << 20) }
        let port = PortBox()
        var logger = Logger(label: "test-image-host")
        logger.logLevel = .critical  // stopping by cancellation logs errors that are no failure here
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "test-images"),
                              onServerRunning: { channel in port.set(channel.localAddress?.port) }, logger: logger)
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        defer { server.cancel() }
        // A bound of 60 s only keeps a broken build from hanging; no timing is asserted.
        for _ in 0..<3000 where port.value == nil { try await Task.sleep(nanoseconds: 20_000_000) }
        try await body(try #require(port.value))
    }

    let loopback = ImageSource(policy: .init(timeout: 10, maxBytes: 64 << 10, maxRedirects: 2, allowLoopback: true))

    @Test func fetchesFollowingCheckedRedirects() async throws {
        try await Self.withImageHost { port in
            let label = [UInt8](try LabelImage.bytes())
            #expect(try await loopback.bytes(for: "http://127.0.0.1:\(port)/label.png") == label)
            #expect(try await loopback.bytes(for: "http://127.0.0.1:\(port)/moved") == label)
            for (path, expected) in [("loop", "redirected more than 2 times"), ("to-metadata", "non-public address"),
                                     ("big", "over the limit of 65536 bytes"), ("missing", "answered HTTP 404")] {
                do {
                    _ = try await loopback.bytes(for: "http://127.0.0.1:\(port)/\(path)")
                    Issue.record("\(path) was fetched")
                } catch let error as ImageSource.Failure {
                    #expect(error.message.contains(expected), "\(path): \(error.message)")
                }
            }
        }
    }

    @Test func aChatReadsAnImageFromAURL() async throws {
        let shared = try TestServer.shared.get()
        let api = MuseAPI(scheduler: shared.scheduler, settings: shared.settings,
                          perception: ImagePerception(source: loopback))
        try await Self.withImageHost { port in
            let prompt = try await renderedPrompt(InProcessClient(api), messages: LabelImage.messages(
                question: ImageChatTests.question, imageURL: "http://127.0.0.1:\(port)/moved"))
            #expect(prompt.contains("\"Energy 520 kcal\""))
        }
    }
}

/// The port the test host bound, set from its channel callback.
final class PortBox: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var port: Int?
    func set(_ value: Int?) { lock.withLock { port = value } }
    var value: Int? { lock.withLock { port } }
}
