import Foundation
import Identity
import Testing

/// The small pieces: base64url, PKCE, form encoding and callback parsing.
@Suite struct IdentityModuleTests {
    @Test func base64URLRoundTripsAndRefusesForeignCharacters() {
        let bytes: [UInt8] = [0xfb, 0xff, 0x00, 0x3e, 0x3f]
        #expect(Base64URL.encode(bytes) == "-_8APj8")
        #expect(Base64URL.decode("-_8APj8") == Data(bytes))
        #expect(Base64URL.decode("+/8APj8") == nil)
        #expect(Base64URL.decode("-_8APj8=") == nil)
        #expect(Base64URL.decode("a") == nil)
        #expect(Base64URL.decode("") == Data())
    }

    /// RFC 7636 Appendix B.
    @Test func pkceChallengeMatchesTheRFCExample() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        #expect(PKCE.challenge(for: verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        #expect(PKCE.isValidVerifier(verifier))
    }

    @Test func verifiersAreFreshAndWellFormed() {
        let verifiers = (0..<16).map { _ in PKCE.makeVerifier() }
        #expect(Set(verifiers).count == verifiers.count)
        #expect(verifiers.allSatisfy(PKCE.isValidVerifier))
        #expect(verifiers.allSatisfy { $0.count == 43 })
        #expect(!PKCE.isValidVerifier(String(repeating: "a", count: 42)))
        #expect(!PKCE.isValidVerifier(String(repeating: "a", count: 129)))
        #expect(!PKCE.isValidVerifier(String(repeating: "a", count: 42) + "+"))
    }

    @Test func pendingSignInsAreUniqueAndExpire() throws {
        let start = Date(timeIntervalSince1970: 1_767_225_600)
        let redirect = try #require(URL(string: "https://muse.example.org/callback"))
        let first = PendingSignIn.start(issuer: "https://id.example.org", redirectURI: redirect, at: start)
        let second = PendingSignIn.start(issuer: "https://id.example.org", redirectURI: redirect, at: start)
        #expect(first.state != second.state && first.nonce != second.nonce && first.codeVerifier != second.codeVerifier)
        #expect(!first.isExpired(at: start.addingTimeInterval(PendingSignIn.defaultLifetime - 1)))
        #expect(first.isExpired(at: start.addingTimeInterval(PendingSignIn.defaultLifetime)))
        let stored = try JSONEncoder().encode(first)
        #expect(try JSONDecoder().decode(PendingSignIn.self, from: stored) == first)
    }

    @Test func formEncodingEscapesEverythingReserved() {
        #expect(FormEncoding.encode([("a b", "x+y&z=1/é")]) == "a%20b=x%2By%26z%3D1%2F%C3%A9")
        #expect(FormEncoding.decode("a%20b=x%2By%26z%3D1%2F%C3%A9&c=d+e") == ["a b": "x+y&z=1/é", "c": "d e"])
    }

    @Test func callbacksAreReadFromTheRedirectURL() throws {
        let url = try #require(URL(string: "https://muse.example.org/callback?code=abc&state=xyz"))
        #expect(AuthorizationCallback(url: url) == AuthorizationCallback(code: "abc", state: "xyz"))
        let denied = try #require(URL(string: "https://muse.example.org/callback?error=access_denied&error_description=no&state=s"))
        #expect(AuthorizationCallback(url: denied) == AuthorizationCallback(state: "s", error: "access_denied", errorDescription: "no"))
    }

    @Test func errorsDescribeThemselves() {
        #expect(IdentityError.algorithmNotAllowed("none").description == #"ID token algorithm "none" is not allowed"#)
        #expect(IdentityError.nonceMismatch.description.contains("nonce"))
    }
}
