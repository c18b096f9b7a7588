import Foundation
import SentinelCore
public import SentinelStore
import Synchronization

/// A memory cache of endpoint snapshots over the store.
///
/// `tools/list`, `prompts/list`, `resources/list` and `resources/templates/list` are answered from here, never by
/// asking upstreams. Any control change or catalog refresh invalidates it; a load that raced an invalidation is not
/// cached.
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
        // One read of the store: tools, prompts, resource rules, resources and templates at one moment.
        let surface: EndpointSurface
        do {
            surface = try await store.exposedSurface(endpoint: name)
        } catch StoreError.notFound {
            return nil
        }
        var servers: [String: Server] = [:]
        for server in try await store.servers() where surface.endpoint.servers.contains(server.name) {
            servers[server.name] = server
        }
        let snapshot = EndpointSnapshot(
            endpoint: surface.endpoint,
            enabled: surface.tools.filter(\.enabled),
            byName: Dictionary(surface.tools.map { ($0.exposedName, $0) }, uniquingKeysWith: { first, _ in first }),
            servers: servers, prompts: surface.prompts, access: surface.access, resources: surface.resources,
            templates: surface.templates)
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
