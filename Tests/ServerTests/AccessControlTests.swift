import Foundation
import Hummingbird
import PartnerAccess
import Server
import Storage
import Testing
import TestSupport

/// Partner keys, limits and metering through the real router, on SQLite and PostgreSQL.
@Suite struct AccessControlTests {
    struct Setup {
        let client: InProcessClient
        let access: AccessControl
    }

    static func setup(_ location: DatabaseLocation, mode: AccessControl.Mode = .required, loopback: Bool = true) throws -> Setup {
        let shared = try TestServer.shared.get()
        // A fixed time: the per-minute windows must not roll over between a test's requests.
        let access = AccessControl(database: try Database(location), mode: mode, server: "test", listensOnLoopbackOnly: loopback,
                                   clock: { Date(timeIntervalSince1970: 1_800_000_000) })
        let api = MuseAPI(scheduler: shared.scheduler, settings: shared.settings, embeddings: nil, access: access)
        return Setup(client: InProcessClient(api), access: access)
    }

    static let chat = #"{"model":"\#(TestServer.modelID)","messages":[{"role":"user","content":"Hi"}],"max_tokens":4,"temperature":0}"#

    static func call(_ setup: Setup, key: String?, body: String = chat, uri: String = "/v1/chat/completions",
                     method: HTTPRequest.Method = .post) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let key { headers[.authorization] = "Bearer \(key)" }
        return try await setup.client.execute(uri: uri, method: method, headers: headers,
                                              body: method == .post ? ByteBuffer(string: body) : nil) { $0 }
    }

    static func code(_ response: TestResponse) throws -> String? { try errorObject(response.body)["code"] as? String }

    @Test(arguments: try TestDatabase.freshLocations())
    func requiredKeysRefuseMissingUnknownAndRevokedKeys(location: DatabaseLocation) async throws {
        let setup = try Self.setup(location)
        let (_, secret) = try await setup.access.keys.create(partner: "Acme")
        let missing = try await Self.call(setup, key: nil)
        #expect(missing.status == .unauthorized && missing.headers[.wwwAuthenticate] == "Bearer")
        #expect(try Self.code(missing) == "missing_api_key")
        #expect(try Self.code(try await Self.call(setup, key: "sk-muse-" + String(repeating: "a", count: 40))) == "invalid_api_key")
        #expect(try await Self.call(setup, key: nil, uri: "/health", method: .get).status == .ok, "probes need no key")
        let served = try await Self.call(setup, key: secret)
        #expect(served.status == .ok)
        _ = try await setup.access.keys.revoke(String(secret.prefix(12)))
        let revoked = try await Self.call(setup, key: secret)
        #expect(revoked.status == .unauthorized)
        #expect(try Self.code(revoked) == "revoked_api_key")
        let records = try await setup.access.ledger.records()
        #expect(records.count == 1, "refused keys are not metered")
        let usage = try jsonObject(served.body)["usage"] as? [String: Any]
        #expect(records.first?.status == 200 && records.first?.completionTokens == 4 && records.first?.partner == "Acme")
        #expect(records.first?.promptTokens == usage?["prompt_tokens"] as? Int && records.first?.model == TestServer.modelID)
    }

    @Test(arguments: try TestDatabase.freshLocations())
    func autoModeIsOpenOnlyOnLoopbackUntilAKeyExists(location: DatabaseLocation) async throws {
        let loopback = try Self.setup(location, mode: .auto, loopback: true)
        #expect(try await Self.call(loopback, key: nil).status == .ok)
        let network = try Self.setup(location, mode: .auto, loopback: false)
        let refused = try await Self.call(network, key: nil)
        #expect(refused.status == .unauthorized)
        #expect((try errorObject(refused.body)["message"] as? String)?.contains("muse keys create") == true)
        _ = try await loopback.access.keys.create(partner: "p")
        #expect(try await Self.call(loopback, key: nil).status == .unauthorized, "once a key exists, keys are required")
        let off = try Self.setup(location, mode: .off)
        #expect(try await Self.call(off, key: nil).status == .ok)
        let records = try await off.access.ledger.records()
        #expect(records.count == 2 && records.allSatisfy { $0.keyID == nil && $0.status == 200 }, "open requests are metered too")
    }

    @Test(arguments: try TestDatabase.freshLocations())
    func requestAndTokenLimitsAnswer429WithRetryAfter(location: DatabaseLocation) async throws {
        let setup = try Self.setup(location)
        let (_, oneRequest) = try await setup.access.keys.create(partner: "rpm", requestsPerMinute: 1)
        let (_, fewTokens) = try await setup.access.keys.create(partner: "tpm", tokensPerMinute: 10)
        #expect(try await Self.call(setup, key: oneRequest).status == .ok)
        let limited = try await Self.call(setup, key: oneRequest)
        #expect(limited.status == .tooManyRequests)
        let retryAfter = try #require(limited.headers[.retryAfter].flatMap { Int($0) })
        #expect((1...60).contains(retryAfter))
        let error = try errorObject(limited.body)
        #expect(error["type"] as? String == "requests" && error["code"] as? String == "rate_limit_exceeded")
        #expect(try await Self.call(setup, key: fewTokens).status == .ok, "the first answer may pass the token limit")
        let tokens = try await Self.call(setup, key: fewTokens)
        #expect(tokens.status == .tooManyRequests)
        #expect(try errorObject(tokens.body)["type"] as? String == "tokens")
        let statuses = try await setup.access.ledger.records().map(\.status).sorted()
        #expect(statuses == [200, 200, 429, 429], "refusals are metered")
    }

    @Test(arguments: try TestDatabase.freshLocations())
    func modelsOutsideTheAllowListAre403AndHidden(location: DatabaseLocation) async throws {
        let setup = try Self.setup(location)
        let (_, other) = try await setup.access.keys.create(partner: "p", models: ["another-model"])
        let refused = try await Self.call(setup, key: other)
        #expect(refused.status == .forbidden)
        #expect(try Self.code(refused) == "model_not_allowed")
        let models = try jsonObject(try await Self.call(setup, key: other, uri: "/v1/models", method: .get).body)
        #expect((models["data"] as? [Any])?.isEmpty == true)
        let records = try await setup.access.ledger.records()
        #expect(records.first { $0.endpoint == "/v1/chat/completions" }?.status == 403)
    }

    @Test(arguments: try TestDatabase.freshLocations())
    func aStreamedAnswerIsRecordedBeforeItsLastByte(location: DatabaseLocation) async throws {
        let setup = try Self.setup(location)
        let (_, secret) = try await setup.access.keys.create(partner: "p")
        let body = #"{"model":"\#(TestServer.modelID)","messages":[{"role":"user","content":"Hi"}],"max_tokens":6,"#
            + #""temperature":0,"stream":true,"stream_options":{"include_usage":true}}"#
        let response = try await Self.call(setup, key: secret, body: body)
        #expect(eventPayloads(response.body).last == "[DONE]")
        let record = try #require(try await setup.access.ledger.records().first)
        #expect(record.status == 200 && record.completionTokens == 6 && record.latencyMs != nil)
        // A streamed Thinking answer generates inside the body: both steps are metered.
        let thinking = #"{"model":"\#(TestServer.modelID):thinking","messages":[{"role":"user","content":"Hi"}],"max_tokens":4,"#
            + #""reasoning_budget":16,"temperature":0,"stream":true}"#
        _ = try await Self.call(setup, key: secret, body: thinking)
        let streamed = try #require(try await setup.access.ledger.records().first)
        #expect(streamed.status == 200 && streamed.completionTokens > 4, "reasoning and answer tokens: \(streamed.completionTokens)")
    }
}
