import Foundation
public import Logging
public import SentinelCore
public import SentinelStore
public import SentinelUpstream
public import ServiceLifecycle

/// Keeps server catalogs and connected clients up to date.
///
/// - Refreshes a server's catalog (tools, and the prompts, resources and resource templates the
///   upstream declared) when asked (server added, changed, `sentinelctl server refresh`), when the
///   upstream says one of its lists changed, and retries servers whose last refresh failed, with backoff.
/// - Turns control changes into `list_changed` notices (tools, prompts, resources) for the endpoints
///   they touch, and drops cached endpoint snapshots.
public final class CatalogService: Service, CatalogRefreshing {
    let store: Store
    let catalog: EndpointCatalog
    let upstreams: any UpstreamProvider
    let hub: NotificationHub
    let changes: ChangeBroadcaster
    let upstreamNotifications: AsyncStream<(server: String, notification: UpstreamNotification)>
    let faults: UpstreamProtocolFaults?
    let logger: Logger

    /// The upstream notifications that make Sentinel refresh the server's catalog.
    static let refreshingNotifications: Set<String> = Set(MCPListKind.allCases.map(\.notificationMethod))

    /// - Parameter faults: where catalog entries an upstream lists but Sentinel cannot keep are counted.
    public init(
        store: Store, catalog: EndpointCatalog, upstreams: any UpstreamProvider, hub: NotificationHub,
        changes: ChangeBroadcaster, upstreamNotifications: AsyncStream<(server: String, notification: UpstreamNotification)>,
        faults: UpstreamProtocolFaults? = nil, logger: Logger
    ) {
        self.store = store
        self.catalog = catalog
        self.upstreams = upstreams
        self.hub = hub
        self.changes = changes
        self.upstreamNotifications = upstreamNotifications
        self.faults = faults
        self.logger = logger
    }

    public func run() async throws {
        let subscription = changes.subscribe()
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                for await change in subscription.cancelOnGracefulShutdown() { await self.apply(change) }
            }
            tasks.addTask {
                // One refresh reads every list: cheap next to the round trip, and it keeps one path.
                for await (server, notification) in self.upstreamNotifications.cancelOnGracefulShutdown()
                where Self.refreshingNotifications.contains(notification.method) {
                    self.logger.info("server \(server) says \(notification.method); refreshing its catalog")
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
            let timeout = Duration.seconds(server.connectTimeoutSeconds + server.callTimeoutSeconds)
            let now = Date()
            let tools = try await self.tools(of: name, using: client, timeout: timeout, now: now)
            recordSkipped(tools, of: "tools/list", server: name)
            let surface = await surface(of: server, using: client, timeout: timeout, now: now)
            try await store.replaceCatalog(server: name, tools: tools.entries, surface: surface, at: now)
            logger.info("catalog of \(name) refreshed: \(tools.entries.count) tool(s)\(Self.summary(surface))")
        } catch {
            logger.warning("catalog refresh of \(name) failed: \(error)")
            try? await store.recordRefreshFailure(server: name, error: String(describing: error))
        }
        changes.publish(ControlChange(time: Date(), origin: .daemon, event: .catalogRefreshed(server: name)))
    }

    /// The tools of `server`. Their list failing fails the refresh, except for a `-32601` from an upstream that
    /// did not declare tools (a server of prompts or resources only): it has none.
    private func tools(of server: String, using client: any UpstreamClient, timeout: Duration, now: Date) async throws
        -> CatalogListing<Tool>
    {
        do {
            return try await CatalogFetcher.listTools(using: client, server: server, timeout: timeout, now: now)
        } catch UpstreamError.rpc(let code, _, _)
            where code == JSONRPCErrorCode.methodNotFound && client.capabilities.map({ !$0.tools }) == true
        {
            return CatalogListing(entries: [], skipped: 0)
        }
    }

    /// The prompts, resources and templates of `server`, as far as its upstream declared them.
    ///
    /// A kind the upstream did not declare is empty (it no longer offers what may be stored); with no
    /// capabilities known (a client that cannot tell) every part stays as stored (nil). A list that fails keeps
    /// its stored part too (logged, never failing the refresh of the tools), and a `-32601` answer is an empty
    /// list. A personal server's concrete resources are its users' data, listed here with whichever user's
    /// credential the catalog client carries: never cataloged (`[]`); its templates and prompts are.
    func surface(of server: Server, using client: any UpstreamClient, timeout: Duration, now: Date) async
        -> ServerSurface
    {
        let name = server.name
        let personal = server.credentialMode == .personal
        guard let capabilities = client.capabilities else {
            return ServerSurface(prompts: nil, resources: personal ? [] : nil, templates: nil, capabilities: nil)
        }
        var prompts: [Prompt]? = []
        var resources: [Resource]? = []
        var templates: [ResourceTemplate]? = []
        if capabilities.prompts {
            prompts = await optionalList("prompts/list", server: name) {
                try await CatalogFetcher.listPrompts(using: client, server: name, timeout: timeout, now: now)
            }
        }
        if capabilities.resources {
            if !personal {
                resources = await optionalList("resources/list", server: name) {
                    try await CatalogFetcher.listResources(using: client, server: name, timeout: timeout, now: now)
                }
            }
            templates = await optionalList("resources/templates/list", server: name) {
                try await CatalogFetcher.listResourceTemplates(using: client, server: name, timeout: timeout, now: now)
            }
        }
        return ServerSurface(prompts: prompts, resources: resources, templates: templates, capabilities: capabilities)
    }

    /// One list beside the tools: `-32601` (the upstream has no such method after all) is an empty list; any
    /// other failure is logged and gives nil, so the stored part is kept.
    private func optionalList<Entry>(
        _ method: String, server: String, _ list: () async throws -> CatalogListing<Entry>
    ) async -> [Entry]? {
        do {
            let listing = try await list()
            recordSkipped(listing, of: method, server: server)
            return listing.entries
        } catch UpstreamError.rpc(let code, _, _) where code == JSONRPCErrorCode.methodNotFound {
            logger.info("server \(server) declared the capability but has no \(method); cataloged as empty")
            return []
        } catch {
            logger.warning("\(method) of \(server) failed; keeping what was cataloged before: \(error)")
            return nil
        }
    }

    /// Counts the entries a list had to skip as protocol faults of the server, with one log line.
    private func recordSkipped<Entry>(_ listing: CatalogListing<Entry>, of method: String, server: String) {
        guard listing.skipped > 0 else { return }
        faults?.record(server: server, count: listing.skipped)
        let entries = listing.skipped == 1 ? "1 entry" : "\(listing.skipped) entries"
        logger.warning(
            "\(method) of \(server) listed \(entries) Sentinel cannot keep (not an object, no name or URI, an unmappable URI, a repeated member or key); skipped")
    }

    /// ", 2 prompt(s), 1 resource(s), 3 template(s)" for the parts that were read.
    private static func summary(_ surface: ServerSurface) -> String {
        var parts: [String] = []
        if let prompts = surface.prompts { parts.append("\(prompts.count) prompt(s)") }
        if let resources = surface.resources { parts.append("\(resources.count) resource(s)") }
        if let templates = surface.templates { parts.append("\(templates.count) template(s)") }
        return parts.isEmpty ? "" : ", " + parts.joined(separator: ", ")
    }

    public func serverChanged(_ name: String) async {
        await upstreams.invalidate(server: name)
        await refresh(server: name)
    }

    public func serverRemoved(_ name: String) async {
        await upstreams.invalidate(server: name)
    }

    /// Invalidates cached snapshots and tells connected clients of the endpoints a change touched which of
    /// their lists changed (`listChanged(changedBy:)`).
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
        let kinds = Self.listChanged(changedBy: change.event)
        for endpoint in endpoints {
            for kind in kinds {
                let count = hub.publish(endpoint: endpoint, .listChanged(kind))
                if count > 0 { logger.debug("told \(count) listener(s) of \(endpoint) that its \(kind.rawValue) changed") }
            }
        }
    }

    /// The lists of the touched endpoints that `event` may have changed: a selection changes its own kind only
    /// (resource rules open resources and templates, never tools); a server coming, going, changing or being
    /// refreshed may change all three.
    static func listChanged(changedBy event: ChangeEvent) -> [MCPListKind] {
        switch event {
        case .toolsSelected: [.tools]
        case .promptsSelected: [.prompts]
        case .resourcesSelected: [.resources]
        case .serverAttached, .serverDetached, .catalogRefreshed, .serverRemoved, .serverUpdated: MCPListKind.allCases
        case .endpointDeleted, .userAdded, .userUpdated, .userRemoved, .passwordChanged, .serverAdded,
            .serverRefreshRequested, .serverSignInStarted, .endpointCreated, .endpointUpdated, .accessAllowed,
            .accessDenied, .grantsRevoked, .secretKeyRotated:
            []
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
