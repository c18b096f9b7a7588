import Foundation
import SentinelCore
public import SentinelStore
import Synchronization

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
