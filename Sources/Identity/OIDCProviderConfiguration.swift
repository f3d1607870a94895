import Foundation

/// A provider's metadata from OpenID Connect Discovery 1.0 (`/.well-known/openid-configuration`).
public struct OIDCProviderConfiguration: Sendable, Equatable, Codable {
    public var issuer: String
    public var authorizationEndpoint: URL
    public var tokenEndpoint: URL
    public var jwksURI: URL
    public var userinfoEndpoint: URL?
    public var endSessionEndpoint: URL?
    public var responseTypesSupported: [String]?
    public var scopesSupported: [String]?
    public var idTokenSigningAlgValuesSupported: [String]?
    public var codeChallengeMethodsSupported: [String]?
    public var tokenEndpointAuthMethodsSupported: [String]?

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case jwksURI = "jwks_uri"
        case userinfoEndpoint = "userinfo_endpoint"
        case endSessionEndpoint = "end_session_endpoint"
        case responseTypesSupported = "response_types_supported"
        case scopesSupported = "scopes_supported"
        case idTokenSigningAlgValuesSupported = "id_token_signing_alg_values_supported"
        case codeChallengeMethodsSupported = "code_challenge_methods_supported"
        case tokenEndpointAuthMethodsSupported = "token_endpoint_auth_methods_supported"
    }

    public init(issuer: String, authorizationEndpoint: URL, tokenEndpoint: URL, jwksURI: URL,
                idTokenSigningAlgValuesSupported: [String]? = nil) {
        (self.issuer, self.authorizationEndpoint, self.tokenEndpoint, self.jwksURI) =
            (issuer, authorizationEndpoint, tokenEndpoint, jwksURI)
        self.idTokenSigningAlgValuesSupported = idTokenSigningAlgValuesSupported
    }

    /// Discovery documents are a few KiB.
    public static let sizeLimit = 256 * 1024

    /// Where discovery lives for `issuer` (OIDC Discovery §4: the issuer, a trailing slash
    /// removed, then the well-known path).
    public static func discoveryURL(issuer: String) throws(IdentityError) -> URL {
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        guard let url = URL(string: base + "/.well-known/openid-configuration") else {
            throw .insecureURL(issuer)
        }
        return url
    }

    /// Fetches and checks the discovery document of `issuer`. The document's `issuer` must equal
    /// the configured one exactly (§4.3): otherwise a compromised or confused host could vouch
    /// for tokens of another issuer.
    public static func discover(issuer: String, transport: any HTTPTransport = URLSessionTransport())
        async throws(IdentityError) -> OIDCProviderConfiguration {
        let url = try discoveryURL(issuer: issuer)
        try requireSecure(url)
        let body = try await transport.fetch(OIDCHTTPRequest(url: url, headers: ["Accept": "application/json"]),
                                             sizeLimit: sizeLimit)
        let configuration: OIDCProviderConfiguration
        do {
            configuration = try JSONDecoder().decode(OIDCProviderConfiguration.self, from: body)
        } catch {
            throw .malformedDiscoveryDocument(Self.describe(error))
        }
        guard configuration.issuer == issuer else {
            throw .discoveredIssuerMismatch(expected: issuer, discovered: configuration.issuer)
        }
        for endpoint in [configuration.authorizationEndpoint, configuration.tokenEndpoint, configuration.jwksURI] {
            try requireSecure(endpoint)
        }
        if let methods = configuration.codeChallengeMethodsSupported, !methods.contains("S256") {
            throw .malformedDiscoveryDocument("the provider does not support PKCE S256")
        }
        return configuration
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted(let context):
            context.codingPath.isEmpty ? "not JSON" : "bad value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: "\(error)"
        }
    }
}
