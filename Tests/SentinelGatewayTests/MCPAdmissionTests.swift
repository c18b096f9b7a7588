import HTTPTypes
import NIOCore
import SentinelCore
import Testing
@testable import SentinelGateway

/// Who may reach an endpoint at all: the endpoint must exist, Origin must be allowed, an OAuth endpoint needs a
/// bearer token of a grant for it, and an endpoint without authentication is only for clients on this host.
struct MCPAdmissionTests {
    @Test func unknownEndpointIs404() async throws {
        let gateway = try await GatewayHarness.make()
        let reply = try await gateway.call("ping", endpoint: "nowhere")
        #expect(reply.status == .notFound)
        #expect(reply.errorMessage == "no endpoint named 'nowhere'")
    }

    @Test func endpointWithoutAuthenticationIsRefusedOffLoopback() async throws {
        let gateway = try await GatewayHarness.make { $0.listenerIsLoopback = false }
        let reply = try await gateway.call("ping", endpoint: "open")
        #expect(reply.status == .forbidden)
        #expect(reply.errorMessage.contains("served only on a loopback listener"))
        #expect(gateway.upstreams.calls.isEmpty)
    }

    @Test func endpointWithoutAuthenticationIsRefusedToClientsAProxyForwardsFromElsewhere() async throws {
        let gateway = try await GatewayHarness.make()
        let body = #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#
        let remote = try await gateway.send(body: body, forwardedClient: IPAddress(parsing: "203.0.113.9"))
        #expect(remote.status == .forbidden)
        let local = try await gateway.send(body: body, forwardedClient: IPAddress(parsing: "127.0.0.1"))
        #expect(local.status == .ok)
    }

    @Test func missingOrUnknownBearerIs401WithAChallenge() async throws {
        let gateway = try await GatewayHarness.make()
        let missing = try await gateway.call("ping", endpoint: "eng")
        #expect(missing.status == .unauthorized)
        let challenge = try #require(missing.headers[.wwwAuthenticate])
        #expect(challenge.hasPrefix(#"Bearer resource_metadata="https://gw.example.org/.well-known/oauth-protected-resource/mcp/eng""#))
        #expect(challenge.contains(#"scope="\#(AuthorizationRequest.requiredScope)""#))
        #expect(!challenge.contains("error="), "no token: no error code (RFC 6750 §3.1)")

        let unknown = try await gateway.call("ping", endpoint: "eng", headers: [.authorization: "Bearer nope"])
        #expect(unknown.status == .unauthorized)
        #expect(unknown.headers[.wwwAuthenticate]?.contains(#"error="invalid_token""#) == true)

        let scoped = try await gateway.call("ping", endpoint: "eng", headers: [.authorization: "Bearer token-scoped"])
        #expect(scoped.status == .forbidden)
        #expect(scoped.headers[.wwwAuthenticate]?.contains(#"error="insufficient_scope""#) == true)

        let granted = try await gateway.call("ping", endpoint: "eng", headers: [.authorization: "bearer  token-ada "])
        #expect(granted.status == .ok, "the scheme is case-insensitive and the token trimmed")
    }

    @Test func foreignOriginIs403AndLocalOrOwnOriginsPass() async throws {
        let gateway = try await GatewayHarness.make { $0.allowedOrigins = ["https://app.example.com"] }
        let evil = try await gateway.call("ping", headers: [.origin: "https://evil.example.net"])
        #expect(evil.status == .forbidden)
        #expect(evil.errorMessage == "origin https://evil.example.net is not allowed")
        for origin in ["http://localhost:3000", "https://gw.example.org", "https://app.example.com"] {
            let reply = try await gateway.call("ping", headers: [.origin: origin])
            #expect(reply.status == .ok, "\(origin)")
        }
    }

    @Test func refusedToolCallNeverReachesTheUpstream() async throws {
        let gateway = try await GatewayHarness.make()
        let reply = try await gateway.callTool("echo", endpoint: "eng", headers: [.authorization: "Bearer nope"])
        #expect(reply.status == .unauthorized)
        #expect(gateway.upstreams.calls.isEmpty)
    }
}
