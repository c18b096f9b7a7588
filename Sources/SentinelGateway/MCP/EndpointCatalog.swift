import Foundation
public import SentinelCore
public import SentinelStore
import Synchronization

/// What one endpoint exposes, as the data plane needs it on every request.
public struct EndpointSnapshot: Sendable {
    public let endpoint: Endpoint
    /// Enabled tools in catalog order (the order of `tools/list`).
    public let enabled: [ExposedTool]
    /// Every catalog tool by exposed name, enabled or not (to tell "disabled" from "unknown").
    public let byName: [String: ExposedTool]
    /// The endpoint's servers by name.
    public let servers: [String: Server]
    /// The `tools/list` entry of each enabled tool, in `enabled` order, serialised once per snapshot
    /// so that listing costs a copy, not a serialisation per tool and request.
    let toolDefinitions: [RawJSON]
    /// The `Mcp-Param-*` headers each enabled tool's input schema declares (`x-mcp-header`), by exposed
    /// name; tools that declare none are absent. Read once per snapshot, not per call.
    let paramHeaders: [String: [MCPParamHeader]]

    init(endpoint: Endpoint, enabled: [ExposedTool], byName: [String: ExposedTool], servers: [String: Server]) {
        self.endpoint = endpoint
        self.enabled = enabled
        self.byName = byName
        self.servers = servers
        self.toolDefinitions = enabled.map(MCPEndpointHandler.toolDefinition)
        var paramHeaders: [String: [MCPParamHeader]] = [:]
        for exposed in enabled where exposed.tool.inputSchema.contains(MCPParamHeader.annotation) {
            guard let schema = try? JSONValue.parse(exposed.tool.inputSchema) else { continue }
            let declared = MCPParamHeader.declared(by: schema)
            if !declared.isEmpty { paramHeaders[exposed.exposedName] = declared }
        }
        self.paramHeaders = paramHeaders
    }
}

/// A memory cache of endpoint snapshots over the store.
///
/// `tools/list` is answered from here, never by asking upstreams. Any control
/// change or catalog refresh invalidates it; a load that raced an
/// invalidation is not cached.
public final class EndpointCatalog: Sendable {
    private struct State {
        var snapshots: [String: EndpointSnapshot] = [:]
        var generation = 0
    }

    let store: Store
    private let state = Mutex(State())

    public init(store: Store) {
        self.store = store
    }

    /// The endpoint's snapshot, or nil when no such endpoint exists.
    public func snapshot(_ name: String) async throws -> EndpointSnapshot? {
        let (cached, generation) = state.withLock { ($0.snapshots[name], $0.generation) }
        if let cached { return cached }
        let loaded: (endpoint: Endpoint, tools: [ExposedTool])
        do {
            loaded = try await store.exposedTools(endpoint: name)
        } catch StoreError.notFound {
            return nil
        }
        var servers: [String: Server] = [:]
        for server in try await store.servers() where loaded.endpoint.servers.contains(server.name) {
            servers[server.name] = server
        }
        let snapshot = EndpointSnapshot(
            endpoint: loaded.endpoint,
            enabled: loaded.tools.filter(\.enabled),
            byName: Dictionary(loaded.tools.map { ($0.exposedName, $0) }, uniquingKeysWith: { first, _ in first }),
            servers: servers)
        state.withLock { state in
            if state.generation == generation { state.snapshots[name] = snapshot }
        }
        return snapshot
    }

    /// Drops every cached snapshot.
    public func invalidate() {
        state.withLock { state in
            state.snapshots.removeAll()
            state.generation += 1
        }
    }
}
