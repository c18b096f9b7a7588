import Foundation
import Logging
import SentinelCore
import SentinelCrypto
@testable import SentinelGateway
import SentinelStore
import SentinelUpstream
import Synchronization
import Testing

/// Hands the catalog one given client, whatever the server.
private struct OneClientUpstreams: UpstreamProvider {
    let upstream: any UpstreamClient

    func client(for server: Server, user: String?) async throws -> any UpstreamClient { upstream }
    func catalogClient(for server: Server) async throws -> any UpstreamClient { upstream }
    func credentialRejected(server: Server, user: String?) async throws -> Bool { false }
    func invalidate(server: String) async {}
}

/// `CatalogService.refresh(server:)` against a real SQLite store in a temporary directory: what an upstream
/// declares decides what is listed, and what is listed is what the store keeps.
@Suite("CatalogService refresh")
struct CatalogServiceTests {
    private static let logger = Logger(label: "test.catalog", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A store holding one server `name` (stdio, `mode`), and its directory.
    private static func store(server name: String, mode: CredentialMode = .none) async throws -> (Store, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sentinel-catalog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try Store(
            path: directory.appendingPathComponent("sentinel.sqlite").path, secrets: try SecretBox(key: SecretBox.generateKey()))
        let now = Date()
        _ = try await store.addServer(
            Server(
                name: name, transport: .stdio, command: ["/bin/true"], credentialMode: mode, connectTimeoutSeconds: 20,
                createdAt: now, updatedAt: now))
        return (store, directory)
    }

    private static func service(
        _ store: Store, client: any UpstreamClient, faults: UpstreamProtocolFaults? = nil,
        notifications: AsyncStream<(server: String, notification: UpstreamNotification)> = AsyncStream { $0.finish() }
    ) -> CatalogService {
        CatalogService(
            store: store, catalog: EndpointCatalog(store: store), upstreams: OneClientUpstreams(upstream: client),
            hub: NotificationHub(), changes: ChangeBroadcaster(), upstreamNotifications: notifications, faults: faults,
            logger: logger)
    }

    private static let declaresAll = ServerCapabilities(
        tools: true, prompts: true, resources: true, json: #"{"tools":{},"prompts":{},"resources":{}}"#)

    // MARK: - Real servers

    @Test(.enabled(if: HTTPFixtureServer.isAvailable, HTTPFixtureServer.unavailableReason))
    func aRefreshStoresTheToolsPromptsResourcesAndTemplatesARealServerDeclares() async throws {
        let (store, directory) = try await Self.store(server: "sdk")
        defer { try? FileManager.default.removeItem(at: directory) }
        let client = StdioFixtures.client(for: UpstreamCapabilitiesTests.surfaceServer(name: "sdk"))
        try await client.start()
        await Self.service(store, client: client).refresh(server: "sdk")
        await client.shutdown()

        #expect(try await store.server(named: "sdk").lastError == nil)
        #expect(try await store.tools(server: "sdk").map(\.name) == ["echo"])
        let surface = try await store.surface(server: "sdk")
        #expect(surface.prompts?.map(\.name) == ["review"])
        #expect(surface.prompts?.first?.definition.contains(#""arguments""#) == true)
        #expect(surface.resources?.map(\.uri) == ["file:///README.md", "counter://value"])
        #expect(surface.templates?.map(\.uriTemplate) == ["notes://{topic}"])
        let capabilities = try #require(surface.capabilities)
        #expect(capabilities.prompts && capabilities.resources && capabilities.tools)
    }

    @Test(.enabled(if: HTTPFixtureServer.isAvailable, HTTPFixtureServer.unavailableReason))
    func aPersonalServersConcreteResourcesAreNeverCatalogedButItsTemplatesAndPromptsAre() async throws {
        let (store, directory) = try await Self.store(server: "mine", mode: .personal)
        defer { try? FileManager.default.removeItem(at: directory) }
        let client = StdioFixtures.client(for: UpstreamCapabilitiesTests.surfaceServer(name: "mine"))
        try await client.start()
        await Self.service(store, client: client).refresh(server: "mine")
        await client.shutdown()

        let surface = try await store.surface(server: "mine")
        #expect(surface.resources == [])
        #expect(surface.templates?.map(\.uriTemplate) == ["notes://{topic}"])
        #expect(surface.prompts?.map(\.name) == ["review"])
    }

    // MARK: - Failures of the extra lists

    @Test func methodNotFoundIsAnEmptyListAndAnyOtherFailureKeepsWhatWasStored() async throws {
        let (store, directory) = try await Self.store(server: "sdk")
        defer { try? FileManager.default.removeItem(at: directory) }
        let before = Date(timeIntervalSince1970: 1_700_000_000)
        try await store.replaceCatalog(
            server: "sdk", tools: [],
            surface: ServerSurface(
                prompts: [Prompt(server: "sdk", name: "old", definition: #"{"name":"old"}"#, discoveredAt: before)],
                resources: [],
                templates: [
                    ResourceTemplate(
                        server: "sdk", uriTemplate: "notes://{old}", definition: #"{"uriTemplate":"notes://{old}","name":"n"}"#,
                        discoveredAt: before)
                ]),
            at: before)
        let client = ScriptedListClient(capabilities: Self.declaresAll) { method, _ in
            switch method {
            case "tools/list": return ScriptedListClient.json(#"{"tools":[{"name":"echo"}]}"#)
            case "prompts/list": throw ScriptedListClient.methodNotFound(method)
            case "resources/list": return ScriptedListClient.json(#"{"resources":[{"uri":"file:///a","name":"a"}]}"#)
            default: throw UpstreamError.timeout(.seconds(1))
            }
        }
        await Self.service(store, client: client).refresh(server: "sdk")

        #expect(try await store.server(named: "sdk").lastError == nil)
        #expect(try await store.tools(server: "sdk").map(\.name) == ["echo"])
        let surface = try await store.surface(server: "sdk")
        #expect(surface.prompts == [])
        #expect(surface.resources?.map(\.uri) == ["file:///a"])
        #expect(surface.templates?.map(\.uriTemplate) == ["notes://{old}"])
        #expect(surface.capabilities?.prompts == true)
    }

    @Test func aKindTheServerNoLongerDeclaresIsEmptiedWithoutBeingAskedFor() async throws {
        let (store, directory) = try await Self.store(server: "sdk")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await store.replaceCatalog(
            server: "sdk", tools: [],
            surface: ServerSurface(
                prompts: [Prompt(server: "sdk", name: "old", definition: #"{"name":"old"}"#, discoveredAt: Date())]),
            at: Date())
        let client = ScriptedListClient(capabilities: ServerCapabilities(tools: true, json: #"{"tools":{}}"#)) { _, _ in
            ScriptedListClient.json(#"{"tools":[]}"#)
        }
        await Self.service(store, client: client).refresh(server: "sdk")

        #expect(client.received.map(\.method) == ["tools/list"])
        let surface = try await store.surface(server: "sdk")
        #expect(surface.prompts == [] && surface.resources == [] && surface.templates == [])
    }

    @Test func aFailedToolsListFailsTheRefreshAndKeepsTheCatalog() async throws {
        let (store, directory) = try await Self.store(server: "sdk")
        defer { try? FileManager.default.removeItem(at: directory) }
        let client = ScriptedListClient(capabilities: Self.declaresAll) { method, _ in
            throw ScriptedListClient.methodNotFound(method)
        }
        await Self.service(store, client: client).refresh(server: "sdk")
        #expect(try await store.server(named: "sdk").lastError?.contains("-32601") == true)
        #expect(client.received.map(\.method) == ["tools/list"])
    }

    @Test func aServerThatDeclaredNoToolsMayAnswerToolsListWithMethodNotFound() async throws {
        let (store, directory) = try await Self.store(server: "docs")
        defer { try? FileManager.default.removeItem(at: directory) }
        let client = ScriptedListClient(capabilities: ServerCapabilities(prompts: true, json: #"{"prompts":{}}"#)) { method, _ in
            if method == "prompts/list" { return ScriptedListClient.json(#"{"prompts":[{"name":"review"}]}"#) }
            throw ScriptedListClient.methodNotFound(method)
        }
        await Self.service(store, client: client).refresh(server: "docs")
        #expect(try await store.server(named: "docs").lastError == nil)
        #expect(try await store.surface(server: "docs").prompts?.map(\.name) == ["review"])
    }

    @Test func entriesTheServerListsButSentinelCannotKeepAreProtocolFaults() async throws {
        let (store, directory) = try await Self.store(server: "sdk")
        defer { try? FileManager.default.removeItem(at: directory) }
        let client = ScriptedListClient(capabilities: Self.declaresAll) { method, _ in
            switch method {
            case "tools/list": return ScriptedListClient.json(#"{"tools":[{"name":"a"},{"nameless":1}]}"#)
            case "prompts/list": return ScriptedListClient.json(#"{"prompts":[{"name":"p"},{"name":"p"}]}"#)
            case "resources/list": return ScriptedListClient.json(#"{"resources":[{"uri":"no scheme"}]}"#)
            default: return ScriptedListClient.json(#"{"resourceTemplates":[{"uriTemplate":"{s}://x"}]}"#)
            }
        }
        let faults = UpstreamProtocolFaults()
        await Self.service(store, client: client, faults: faults).refresh(server: "sdk")
        #expect(faults.count(server: "sdk") == 4)
        #expect(try await store.surface(server: "sdk").prompts?.map(\.name) == ["p"])
    }

    // MARK: - Triggers and notices

    @Test(arguments: ["notifications/prompts/list_changed", "notifications/resources/list_changed"])
    func anUpstreamListChangeRefreshesTheCatalog(method: String) async throws {
        let (store, directory) = try await Self.store(server: "sdk")
        defer { try? FileManager.default.removeItem(at: directory) }
        let client = ScriptedListClient(capabilities: Self.declaresAll) { method, _ in
            switch method {
            case "tools/list": ScriptedListClient.json(#"{"tools":[]}"#)
            case "prompts/list": ScriptedListClient.json(#"{"prompts":[{"name":"fresh"}]}"#)
            case "resources/list": ScriptedListClient.json(#"{"resources":[{"uri":"file:///fresh"}]}"#)
            default: ScriptedListClient.json(#"{"resourceTemplates":[]}"#)
            }
        }
        let (notifications, sink) = AsyncStream.makeStream(of: (server: String, notification: UpstreamNotification).self)
        let service = Self.service(store, client: client, notifications: notifications)
        let refreshed = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            sink.yield((server: "sdk", notification: UpstreamNotification(method: method, params: nil)))
            let deadline = ContinuousClock.now + .seconds(10)
            var surface = try await store.surface(server: "sdk")
            while surface.prompts?.isEmpty != false, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                surface = try await store.surface(server: "sdk")
            }
            group.cancelAll()
            return surface
        }
        #expect(refreshed.prompts?.map(\.name) == ["fresh"])
        #expect(refreshed.resources?.map(\.uri) == ["file:///fresh"])
    }

    @Test func eachChangeNamesTheListsItChanges() {
        let tool = ToolReference(server: "sdk", tool: "echo")
        #expect(CatalogService.listChanged(changedBy: .toolsSelected(endpoint: "eng", tools: [tool], enabled: true)) == [.tools])
        #expect(CatalogService.listChanged(changedBy: .promptsSelected(endpoint: "eng", prompts: [], enabled: true)) == [.prompts])
        #expect(
            CatalogService.listChanged(changedBy: .resourcesSelected(endpoint: "eng", rules: [], enabled: false)) == [.resources])
        for event in [
            ChangeEvent.serverAttached(endpoint: "eng", server: "sdk"), .serverDetached(endpoint: "eng", server: "sdk"),
            .catalogRefreshed(server: "sdk"), .serverRemoved(server: "sdk"), .serverUpdated(server: "sdk"),
        ] {
            #expect(CatalogService.listChanged(changedBy: event) == [.tools, .prompts, .resources])
        }
        #expect(CatalogService.listChanged(changedBy: .endpointCreated(endpoint: "eng")).isEmpty)
    }
}
