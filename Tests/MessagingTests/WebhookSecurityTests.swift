import Foundation
import Messaging
import Testing

@Suite struct WebhookSecurityTests {
    let security: WebhookSecurity

    init() throws { security = try WebhookSecurity(appSecret: "app-secret-123", verifyToken: "verify-me") }

    static let body = Data(#"{"object":"page","entry":[]}"#.utf8)
    /// `python3 -c "import hmac,hashlib; print(hmac.new(b'app-secret-123', body, hashlib.sha256).hexdigest())"`
    static let knownSignature = "sha256=045d425314376ceef02357beda9d40971b523021cc4baad4e55bde33d2691f03"

    @Test func theSignatureIsTheHMACOfTheRawBody() throws {
        #expect(security.signatureHeader(for: Self.body) == Self.knownSignature)
        try security.verify(signatureHeader: Self.knownSignature, body: Self.body)
        try security.verify(signatureHeader: Self.knownSignature.uppercased().replacingOccurrences(of: "SHA256=", with: "sha256="),
                            body: Self.body)
    }

    @Test func forgedMissingAndMalformedSignaturesAreRefused() {
        var altered = Self.body
        altered.append(0x20)  // the same JSON re-encoded with a space is not the signed body
        let cases: [(String?, Data)] = [
            (Self.knownSignature, altered), (nil, Self.body), ("", Self.body),
            (String(Self.knownSignature.dropFirst(7)), Self.body),         // no "sha256=" prefix
            ("sha1=" + Self.knownSignature.dropFirst(7), Self.body),
            (String(Self.knownSignature.dropLast(2)), Self.body),          // a byte short
            (String(Self.knownSignature.dropLast()) + "g", Self.body),     // not hex
            (try? WebhookSecurity(appSecret: "other", verifyToken: "x").signatureHeader(for: Self.body), Self.body),
        ]
        for (header, body) in cases {
            #expect(throws: MessagingError.badSignature, "\(header ?? "nil")") {
                try security.verify(signatureHeader: header, body: body)
            }
        }
    }

    @Test func theHandshakeEchoesTheChallengeOnlyForSubscribeWithTheToken() throws {
        #expect(try security.challengeResponse(mode: "subscribe", verifyToken: "verify-me", challenge: "1158201444") == "1158201444")
        for (mode, token) in [("subscribe", "verify-m"), ("subscribe", "verify-me "), ("unsubscribe", "verify-me"), (nil, "verify-me")] {
            #expect(throws: MessagingError.verificationRefused) {
                try security.challengeResponse(mode: mode, verifyToken: token, challenge: "1")
            }
        }
        #expect(throws: MessagingError.verificationRefused) {
            try security.challengeResponse(mode: "subscribe", verifyToken: "verify-me", challenge: nil)
        }
        #expect(throws: MessagingError.invalidConfiguration("the app secret is empty")) {
            try WebhookSecurity(appSecret: "", verifyToken: "t")
        }
    }

    @Test func constantTimeEqualityComparesEveryByte() {
        #expect(WebhookSecurity.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!WebhookSecurity.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!WebhookSecurity.constantTimeEqual([0, 2, 3], [1, 2, 3]))
        #expect(!WebhookSecurity.constantTimeEqual([1, 2], [1, 2, 3]))
    }
}
