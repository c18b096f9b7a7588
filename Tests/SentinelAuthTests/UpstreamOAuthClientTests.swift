import Foundation
import Testing
@testable import SentinelAuth

struct UpstreamOAuthClientTests {
    @Test func challengeParametersAreRead() {
        let challenge = #"Bearer resource_metadata="https://api.example/.well-known/oauth-protected-resource/mcp", scope="read", error="invalid_token""#
        #expect(UpstreamOAuthClient.parameter("resource_metadata", in: challenge) == "https://api.example/.well-known/oauth-protected-resource/mcp")
        #expect(UpstreamOAuthClient.parameter("scope", in: challenge) == "read")
        #expect(UpstreamOAuthClient.parameter("realm", in: challenge) == nil)
        #expect(UpstreamOAuthClient.parameter("error", in: "Bearer error=invalid_token, scope=x") == "invalid_token")
    }

    @Test func theAuthorizationURLCarriesPKCEResourceAndScope() throws {
        let registration = UpstreamOAuthRegistration(
            issuer: "https://as.example", authorizationEndpoint: "https://as.example/authorize?tenant=1",
            tokenEndpoint: "https://as.example/token", registrationEndpoint: nil, resource: "https://api.example/mcp",
            scope: "read write", clientID: "client 1", clientSecret: nil, redirectURI: "https://gw.example/oauth/upstream/callback")
        let url = UpstreamOAuthClient().authorizationURL(registration, state: "s", codeChallenge: "c")
        let components = try #require(URLComponents(string: url))
        let items = Dictionary(uniqueKeysWithValues: (components.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(items["tenant"] == "1")
        #expect(items["client_id"] == "client 1" && items["code_challenge_method"] == "S256" && items["code_challenge"] == "c")
        #expect(items["resource"] == "https://api.example/mcp" && items["scope"] == "read write" && items["state"] == "s")
        #expect(items["redirect_uri"] == "https://gw.example/oauth/upstream/callback" && items["response_type"] == "code")
    }
}

struct UpstreamTargetPolicyTests {
    /// What a public https MCP server may make Sentinel fetch during discovery, and what not.
    @Test func aPublicServerCannotPointDiscoveryAtPlainHTTPOrPrivateAddresses() {
        let publicServer = UpstreamOAuthClient.TargetPolicy(allowHTTP: false, allowPrivate: false)
        #expect(throws: UpstreamOAuthError.self) { try publicServer.check("http://93.184.216.34/.well-known/x") }
        #expect(throws: UpstreamOAuthError.self) { try publicServer.check("https://127.0.0.1/token") }
        #expect(throws: UpstreamOAuthError.self) { try publicServer.check("https://169.254.169.254/latest/meta-data") }
        #expect(throws: UpstreamOAuthError.self) { try publicServer.check("https://[::1]/token") }
        #expect(throws: UpstreamOAuthError.self) { try publicServer.check("file:///etc/passwd") }
        #expect(throws: Never.self) { try publicServer.check("https://93.184.216.34/token") }
    }

    @Test func aLoopbackHTTPServerMayUseLoopbackHTTP() {
        let labServer = UpstreamOAuthClient.TargetPolicy(allowHTTP: true, allowPrivate: true)
        #expect(throws: Never.self) { try labServer.check("http://127.0.0.1:8080/token") }
        #expect(throws: UpstreamOAuthError.self) { try labServer.check("ftp://127.0.0.1/token") }
    }
}
