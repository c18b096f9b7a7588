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
