import Foundation
public import Logging
public import SentinelCore
public import SentinelStore
public import SentinelUpstream
public import ServiceLifecycle

/// Keeps server catalogs and connected clients up to date.
///
/// - Refreshes a server's catalog when asked (server added, changed, `sentinelctl server
///   refresh`), when the upstream says `notifications/tools/list_changed`, and retries
///   servers whose last refresh failed, with backoff.
/// - Turns control changes into `notifications/tools/list_changed` for the endpoints they
///   touch, and drops cached endpoint snapshots.
public final class CatalogService: Service, CatalogRefreshing {
    let store: Store
    let catalog: EndpointCatalog
    let upstreams: any UpstreamProvider
    let hub: NotificationHub
    let changes: ChangeBroadcaster
    let upstreamNotifications: AsyncStream<(server: String, notification: UpstreamNotification)>
    let logger: Logger

    public init(
        store: Store, catalog: EndpointCatalog, upstreams: any UpstreamProvider, hub: NotificationHub,
        changes: ChangeBroadcaster, upstreamNotifications: AsyncStream<(server: String, notification: UpstreamNotification)>,
        logger: Logger
    ) {
        self.store = store
        self.catalog = catalog
        self.upstreams = upstreams
        self.hub = hub
        self.changes = changes
        self.upstreamNotifications = upstreamNotifications
        self.logger = logger
    }

    public func run() async throws {
        let subscription = changes.subscribe()
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                for await change in subscription.cancelOnGracefulShutdown() { await self.apply(change) }
            }
            tasks.addTask {
                for await (server, notification) in self.upstreamNotifications.cancelOnGracefulShutdown()
                where notification.method == "notifications/tools/list_changed" {
                    self.logger.info("server \(server) says its tools changed; refreshing")
                    await self.refresh(server: server)
                }
            }
            tasks.addTask { await self.retryFailedRefreshes() }
            await tasks.next()
            tasks.cancelAll()
        }
        hub.closeAll()
    }

    public func refresh(server name: String) async {
        let server: Server
        do {
            server = try await store.server(named: name)
        } catch {
            return
        }
        do {
            let client = try await upstreams.catalogClient(for: server)
            let tools = try await CatalogFetcher.listTools(
                using: client, server: name, timeout: .seconds(server.connectTimeoutSeconds + server.callTimeoutSeconds),
                now: Date())
            try await store.replaceCatalog(server: name, tools: tools)
            logger.info("catalog of \(name) refreshed: \(tools.count) tool(s)")
        } catch {
            logger.warning("catalog refresh of \(name) failed: \(error)")
            try? await store.recordRefreshFailure(server: name, error: String(describing: error))
        }
        changes.publish(ControlChange(time: Date(), origin: .daemon, event: .catalogRefreshed(server: name)))
    }

    public func serverChanged(_ name: String) async {
        await upstreams.invalidate(server: name)
        await refresh(server: name)
    }

    public func serverRemoved(_ name: String) async {
        await upstreams.invalidate(server: name)
    }

    /// Invalidates cached snapshots and tells connected clients of the endpoints a change touched.
    func apply(_ change: ControlChange) async {
        catalog.invalidate()
        let endpoints: [String]
        switch change.event {
        case .toolsSelected(let endpoint, _, _), .promptsSelected(let endpoint, _, _), .resourcesSelected(let endpoint, _, _),
            .serverAttached(let endpoint, _), .serverDetached(let endpoint, _):
            endpoints = [endpoint]
        case .endpointDeleted(let endpoint):
            hub.close(endpoint: endpoint)
            return
        case .catalogRefreshed(let server), .serverRemoved(let server), .serverUpdated(let server):
            endpoints = (try? await store.endpoints().filter { $0.servers.contains(server) }.map(\.name)) ?? []
        case .userAdded, .userUpdated, .userRemoved, .passwordChanged, .serverAdded, .serverRefreshRequested,
            .serverSignInStarted, .endpointCreated, .endpointUpdated, .accessAllowed, .accessDenied, .grantsRevoked,
            .secretKeyRotated:
            return
        }
        let notification = JSONRPC.notification(method: "notifications/tools/list_changed", params: nil)
        for endpoint in endpoints {
            let count = hub.publish(endpoint: endpoint, notification)
            if count > 0 { logger.debug("told \(count) client(s) of \(endpoint) that its tools changed") }
        }
    }

    /// Servers whose last refresh failed are tried again, 30 s after the failure and then less often.
    func retryFailedRefreshes() async {
        var attempts: [String: Int] = [:]
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await Task.sleep(for: .seconds(5))
            } catch {
                return
            }
            guard let servers = try? await store.servers() else { continue }
            let now = Date()
            for server in servers {
                guard server.lastError != nil, let refreshed = server.refreshedAt else {
                    attempts.removeValue(forKey: server.name)
                    continue
                }
                let attempt = attempts[server.name, default: 0]
                let delay = min(600, 30 * (1 << min(attempt, 5)))
                if now.timeIntervalSince(refreshed) >= Double(delay) {
                    attempts[server.name] = attempt + 1
                    await refresh(server: server.name)
                }
            }
        }
    }
}
