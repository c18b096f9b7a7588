import Foundation
import SentinelCore
import SentinelUpstream
import Testing

/// What real upstreams declare reaches `UpstreamClient.capabilities`, through each way a client negotiates:
/// stdio `initialize`, HTTP `server/discover` (2026-07-28) and HTTP `initialize` (handshake era).
@Suite("Upstream capabilities", .enabled(if: HTTPFixtureServer.isAvailable, HTTPFixtureServer.unavailableReason))
struct UpstreamCapabilitiesTests {
    private let now = Date(timeIntervalSince1970: 1_750_000_000)

    /// The SDK's `MCPServer` over stdio, with the prompts, resources and template of mcp_surface_fixture.py.
    static func surfaceServer(name: String = "surface") -> Server {
        let script = StdioFixtures.repositoryRoot.appendingPathComponent("Tests/SentinelUpstreamTests/Fixtures/mcp_surface_fixture.py")
        return StdioFixtures.server(name: name, command: [HTTPFixtureServer.python.path, script.path], connectTimeout: 20)
    }

    @Test func aStdioServerDeclaresItsCapabilitiesInInitialize() async throws {
        let client = StdioFixtures.client(for: Self.surfaceServer())
        #expect(client.capabilities == nil)
        try await client.start()
        let capabilities = try #require(client.capabilities)
        #expect(capabilities.tools && capabilities.prompts && capabilities.resources)
        #expect(!capabilities.resourcesSubscribe && !capabilities.completions)
        // The object as the server sent it, for the store.
        #expect(ServerCapabilities(parsing: capabilities.json) == capabilities)
        #expect(capabilities.json.hasPrefix("{") && capabilities.json.contains(#""prompts""#))

        let prompts = try await CatalogFetcher.listPrompts(using: client, server: "surface", timeout: .seconds(10), now: now)
        #expect(prompts.entries.map(\.name) == ["review"])
        #expect(prompts.entries[0].description == "Asks for a review of some code.")
        let resources = try await CatalogFetcher.listResources(using: client, server: "surface", timeout: .seconds(10), now: now)
        #expect(resources.entries.map(\.uri) == ["file:///README.md", "counter://value"])
        let templates = try await CatalogFetcher.listResourceTemplates(
            using: client, server: "surface", timeout: .seconds(10), now: now)
        #expect(templates.entries.map(\.uriTemplate) == ["notes://{topic}"])
        #expect(prompts.skipped + resources.skipped + templates.skipped == 0)
        await client.shutdown()
    }

    @Test func theDemoServerDeclaresToolsOnly() async throws {
        let client = StdioFixtures.client(for: try StdioFixtures.demoServer())
        try await client.start()
        let capabilities = try #require(client.capabilities)
        #expect(capabilities.tools && capabilities.toolsListChanged)
        #expect(!capabilities.prompts && !capabilities.resources)
        await client.shutdown()
    }

    @Test func aPooledClientShowsItsUpstreamsCapabilities() async throws {
        let pool = UpstreamPool(logger: StdioFixtures.logger) { StdioFixtures.client(for: $0) }
        let client = try await pool.client(for: Self.surfaceServer())
        #expect(client.capabilities?.prompts == true)
        await pool.shutdownAll()
    }

    @Test func anHTTPServerDeclaresItsCapabilitiesInDiscovery() async throws {
        let server = try await HTTPFixtureServers.shared.server(HTTPFixtureServers.dualEraSDK)
        let client = server.client()
        try await client.start()
        #expect(client.protocolVersion == MCPProtocol.modernVersion)
        let capabilities = try #require(client.capabilities)
        // The SDK derives the 2026-07-28 flags from its subscriptions/listen support.
        #expect(capabilities.prompts && capabilities.promptsListChanged)
        #expect(capabilities.resources && capabilities.resourcesListChanged && capabilities.resourcesSubscribe)
        let prompts = try await CatalogFetcher.listPrompts(using: client, server: "fixture", timeout: .seconds(10), now: now)
        #expect(prompts.entries.map(\.name) == ["review"])
        let templates = try await CatalogFetcher.listResourceTemplates(
            using: client, server: "fixture", timeout: .seconds(10), now: now)
        #expect(templates.entries.map(\.uriTemplate) == ["notes://{topic}"])
        await client.shutdown()
    }

    @Test(arguments: [
        HTTPFixtureServer.Options(kind: .sdk, handshakeOnly: true), HTTPFixtureServers.handshakeFastMCP,
    ])
    func anHTTPServerDeclaresItsCapabilitiesInInitialize(options: HTTPFixtureServer.Options) async throws {
        let server = try await HTTPFixtureServers.shared.server(options)
        let client = server.client()
        try await client.start()
        #expect(client.protocolVersion == MCPProtocol.latestHandshakeVersion)
        let capabilities = try #require(client.capabilities)
        #expect(capabilities.tools && capabilities.prompts && capabilities.resources)
        let resources = try await CatalogFetcher.listResources(using: client, server: "fixture", timeout: .seconds(10), now: now)
        #expect(Set(resources.entries.map(\.uri)) == ["file:///README.md", "counter://value"])
        await client.shutdown()
    }
}
