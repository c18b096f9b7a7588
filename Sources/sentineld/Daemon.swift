import Foundation
import Logging
import NIOPosix
import SentinelAuth
import SentinelControl
import SentinelCore
import SentinelGateway
import SentinelStore
import SentinelSystemd
import SentinelUpstream
import SentinelVarlink
import ServiceLifecycle
import Synchronization
import UnixSignals

#if canImport(Glibc)
import Glibc
#endif

/// A reason sentineld cannot start, printed as one line.
struct DaemonStartupError: Error, CustomStringConvertible {
    var description: String
}

/// Wires configuration, store, listeners and services together and runs them until stopped.
final class Daemon: Sendable {
    let loader: ConfigurationLoader
    let current: Mutex<DaemonConfiguration>
    let logLevel: SharedLogLevel
    let started = Date()
    let activity = ActivityTracker()
    let notifier = ServiceNotifier()
    let audit = JournalAuditSink()
    let changes = ChangeBroadcaster()
    /// Known once the HTTP socket is bound (an inherited socket may be on any address).
    let httpIsLoopback: SharedFlag
    let demo: DemoSetup?

    init(configuration: DaemonConfiguration, loader: ConfigurationLoader, demo: DemoSetup? = nil) {
        self.loader = loader
        self.demo = demo
        self.httpIsLoopback = SharedFlag(configuration.listen.isLoopback)
        self.current = Mutex(configuration)
        self.logLevel = SharedLogLevel(Self.level(configuration.logLevel))
    }

    var configuration: DaemonConfiguration { current.withLock { $0 } }

    func run() async throws {
        let configuration = self.configuration
        let target = LogTarget(rawValue: configuration.logTarget.rawValue) ?? .auto
        let shared = logLevel
        LoggingSystem.bootstrap { label in
            ReloadableLogHandler(
                inner: LogTarget.makeHandler(label: label, identifier: "sentineld", target: target, level: .trace),
                shared: shared)
        }
        let logger = Logger(label: "sentineld")

        let descriptors = DescriptorLimit.raiseToHardLimit()
        let descriptorLimit = descriptors.soft
        if let before = descriptors.raisedFrom {
            logger.debug("raised the open-file limit from \(before) to \(descriptorLimit)")
        }
        let httpCap = configuration.effectiveMaxConnections(descriptorLimit: descriptorLimit)
        guard httpCap > 0 else {
            throw DaemonStartupError(
                description: "the open-file limit \(descriptorLimit) leaves no descriptors for HTTP connections after "
                    + "[Daemon] ReservedDescriptors=\(configuration.reservedDescriptors); raise LimitNOFILE= or lower ReservedDescriptors=")
        }
        if configuration.controlMaxConnections + VarlinkServer.rootHeadroom > configuration.reservedDescriptors / 2 {
            logger.warning(
                "[Control] MaxConnections=\(configuration.controlMaxConnections) takes most of [Daemon] ReservedDescriptors=\(configuration.reservedDescriptors); the database and upstream servers may run short")
        }
        if httpCap < configuration.maxConnections {
            logger.notice(
                "at most \(httpCap) HTTP connections: the open-file limit is \(descriptorLimit) and [Daemon] ReservedDescriptors=\(configuration.reservedDescriptors)")
        }

        let environment = ProcessInfo.processInfo.environment
        let stateDirectory = configuration.effectiveStateDirectory(environment: environment)
        let store = try await openStore(stateDirectory: stateDirectory)

        let activated = SocketActivation.listenedSockets()
        for socket in activated where socket.name != "http" && socket.name != "varlink" {
            logger.warning("ignoring inherited socket named '\(socket.name)' (expected 'http' or 'varlink')")
        }
        let httpSocket = SocketActivation.socket(named: "http", in: activated)
        let varlinkSocket = SocketActivation.socket(named: "varlink", in: activated)

        let httpListener: HTTPServer.Listener =
            httpSocket.map { .fileDescriptor($0.fileDescriptor) } ?? .address(configuration.listen)
        let httpDescription = httpSocket == nil ? configuration.listen.description : "socket-activated"
        let controlDescription = varlinkSocket == nil ? configuration.controlSocket : "socket-activated"

        // The data plane: upstream connections, the endpoint catalog cache, notification streams.
        let upstreamLogger = Logger(label: "sentineld.upstream")
        let faults = UpstreamProtocolFaults()
        let pool = UpstreamPool(idleTimeout: .seconds(max(1, configuration.upstreamIdleStopSeconds)), logger: upstreamLogger) { [self] server in
            switch server.transport {
            case .stdio:
                StdioUpstreamClient(server: server, clientVersion: SentinelVersion.current, logger: upstreamLogger, faults: faults)
            case .http:
                HTTPUpstreamClient(
                    server: server, headers: server.headers, clientVersion: SentinelVersion.current, logger: upstreamLogger,
                    faults: faults, urlSessionOnly: self.configuration.upstreamHTTPTransport == .urlsession)
            }
        }
        let authSettings: @Sendable () -> AuthSettings = { [self] in
            let configuration = self.configuration
            return AuthSettings(
                issuer: configuration.effectivePublicURL,
                durations: AccessDurations(choices: configuration.accessDurations, maximum: configuration.maxAccessDuration),
                accessTokenLifetime: configuration.accessTokenLifetime, signInLifetime: configuration.signInLifetime,
                clientMetadataPrivateTargets: configuration.clientMetadataPrivateTargets)
        }
        let credentials = UpstreamCredentials(
            store: store, audit: audit, logger: Logger(label: "sentineld.credentials"), settings: authSettings)
        let upstreams = PooledUpstreams(pool: pool, credentials: credentials)
        let catalog = EndpointCatalog(store: store)
        let hub = NotificationHub()
        let catalogService = CatalogService(
            store: store, catalog: catalog, upstreams: upstreams, hub: hub, changes: changes,
            upstreamNotifications: pool.notifications, faults: faults, logger: Logger(label: "sentineld.catalog"))

        // The authorization plane: bearer checks on every request, revocation that closes streams at once.
        let verifier = BearerVerifier(store: store)
        let grantStreams = GrantStreams()
        let revocations = GrantRevocations(
            store: store, verifier: verifier, streams: grantStreams, changes: changes, logger: Logger(label: "sentineld.auth"))

        let groupID = Self.groupID(named: configuration.controlGroup)
        if groupID == nil {
            logger.notice("control group '\(configuration.controlGroup)' does not exist; only root and the daemon's user may use the control socket")
        }
        let varlinkListener: VarlinkServer.Listener
        if let varlinkSocket {
            varlinkListener = .fileDescriptor(varlinkSocket.fileDescriptor)
        } else {
            try prepareSocketDirectory(for: configuration.controlSocket)
            // The group's members may connect: the socket is theirs as well as the daemon's user's.
            varlinkListener = .path(configuration.controlSocket, mode: 0o660, group: groupID)
        }
        let manager = try ManagerInterface(
            store: store, audit: audit, policy: ControlAccessPolicy(daemonUID: getuid(), groupID: groupID),
            changes: changes, revocations: revocations, catalogs: catalogService,
            credentials: DaemonCredentials(
                credentials: credentials, store: store, stateDirectory: stateDirectory, environment: environment),
            logger: Logger(label: "sentineld.control")
        ) { [self] in
            let configuration = self.configuration
            var status = DaemonRuntimeStatus(
                version: SentinelVersion.current, pid: getpid(), started: started, publicURL: configuration.effectivePublicURL,
                httpListen: httpDescription, controlSocket: controlDescription, stateDirectory: stateDirectory,
                openConnections: activity.openConnections, httpIsLoopback: httpIsLoopback.value,
                logTarget: target.resolved().rawValue, auditTarget: self.audit.writesToJournal ? "journal" : "stderr")
            status.upstreamProtocolFaults = faults.all
            return status
        }
        let varlink = VarlinkServer(
            listener: varlinkListener, interfaces: [manager],
            info: VarlinkServiceInfo(
                vendor: "Sentinel", product: "sentineld", version: SentinelVersion.current,
                url: "https://github.com/sentinel-mcp/sentinel"),
            logger: Logger(label: "sentineld.varlink"), observer: activity,
            maximumConnections: { [self] in self.configuration.controlMaxConnections })
        let authorization = AuthorizationServer(
            store: store, catalog: catalog, audit: audit, revocations: revocations, credentials: credentials,
            catalogs: catalogService, verifier: upstreams, logger: Logger(label: "sentineld.auth"), settings: authSettings)
        let mcp = MCPEndpointHandler(
            catalog: catalog, upstreams: upstreams, audit: audit, hub: hub, verifier: verifier, grantStreams: grantStreams,
            logger: Logger(label: "sentineld.gateway")
        ) { [self] in
            let configuration = self.configuration
            return GatewaySettings(
                publicURL: configuration.effectivePublicURL, maxRequestBytes: configuration.maxRequestBytes,
                maxConcurrentCallsPerEndpoint: configuration.maxConcurrentCallsPerEndpoint,
                allowedOrigins: configuration.allowedOrigins, listenerIsLoopback: httpIsLoopback.value,
                version: SentinelVersion.current, maxConcurrentCallsPerCaller: configuration.maxConcurrentCallsPerCaller,
                sessionIdleSeconds: configuration.sessionIdleSeconds)
        }
        let router = GatewayRouter.make(version: SentinelVersion.current)
        mcp.register(on: router)
        authorization.register(on: router)
        let http = HTTPServer(
            listener: httpListener, router: router,
            logger: Logger(label: "sentineld.http"), observer: activity,
            stopTimeout: .seconds(configuration.stopTimeoutSeconds),
            limits: { [self] in HTTPConnectionLimits(self.configuration, descriptorLimit: descriptorLimit) },
            onShutdown: { hub.closeAll() })
        let supervisor = DaemonSupervisor(
            daemon: self, store: store, http: http, varlink: varlink, catalogs: catalogService, demo: demo,
            httpIsLoopback: httpIsLoopback, logger: logger)

        var groupConfiguration = ServiceGroupConfiguration(
            services: [
                .init(service: UpstreamPoolService(pool: pool)),
                .init(service: catalogService),
                .init(service: revocations),
                .init(service: varlink),
                .init(service: http),
                .init(service: supervisor),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            cancellationSignals: [],
            logger: logger)
        // A service that does not finish its graceful shutdown must not keep the daemon alive past systemd's patience:
        // past the stop timeout (in-flight calls) and a margin for upstream children (SIGTERM, then SIGKILL after 5 s),
        // the group cancels what is left and `run` ends with gracefulShutdownTimedOut.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(configuration.stopTimeoutSeconds + 15)
        let group = ServiceGroup(configuration: groupConfiguration)
        supervisor.attach(group: group)
        logger.info(
            "sentineld \(SentinelVersion.current) starting",
            metadata: [
                "state_directory": "\(stateDirectory)", "http": "\(httpDescription)", "control": "\(controlDescription)",
                "config_files": "\(loader.files().joined(separator: ","))",
            ])
        do {
            try await group.run()
        } catch let error as HTTPServerError {
            throw DaemonStartupError(description: error.description)
        } catch let error as VarlinkServerError {
            throw DaemonStartupError(description: error.description)
        } catch {
            logger.error("sentineld stopped with an error: \(error)")
            throw error
        }
        if varlinkSocket == nil { unlink(configuration.controlSocket) }
        logger.info("sentineld stopped")
    }

    private func openStore(stateDirectory: String) async throws -> Store {
        do {
            try FileManager.default.createDirectory(
                atPath: stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw DaemonStartupError(description: "cannot create state directory \(stateDirectory): \(error.localizedDescription)")
        }
        let path = stateDirectory + "/sentinel.sqlite"
        let environment = ProcessInfo.processInfo.environment
        let secrets = try SecretKey.load(stateDirectory: stateDirectory, environment: environment)
        do {
            let store = try Store(path: path, secrets: secrets)
            if try await store.secretKeyMatches() { return store }
            // A rotation that stored the new key but whose database commit failed leaves the old key as .previous.
            let previous = stateDirectory + "/secret.key.previous"
            if !SecretKey.fromCredential(environment), FileManager.default.fileExists(atPath: previous) {
                let restored = try Store(path: path, secrets: try SecretKey.box(fromFile: previous))
                if try await restored.secretKeyMatches() {
                    _ = rename(previous, stateDirectory + "/secret.key")
                    return restored
                }
            }
            throw DaemonStartupError(description: "the secret key does not open the secrets stored in \(path); use the key they were sealed with")
        } catch let error as StoreError {
            throw DaemonStartupError(description: error.description)
        } catch {
            throw DaemonStartupError(description: "cannot open \(path): \(error)")
        }
    }

    private func prepareSocketDirectory(for path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        guard !directory.isEmpty else { return }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw DaemonStartupError(description: "cannot create \(directory) for the control socket: \(error.localizedDescription)")
        }
    }

    static func groupID(named name: String) -> UInt32? {
        guard let entry = getgrnam(name) else { return nil }
        return entry.pointee.gr_gid
    }

    static func level(_ level: DaemonConfiguration.LogLevel) -> Logger.Level {
        switch level {
        case .trace: .trace
        case .debug: .debug
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        case .critical: .critical
        }
    }

    /// Re-reads the configuration; keeps the old one when the new one is invalid.
    func reload(logger: Logger) -> Bool {
        do {
            let fresh = try loader.load()
            let previous = configuration
            for (name, changed) in [
                ("HTTP.Listen", fresh.listen != previous.listen),
                ("Control.Socket", fresh.controlSocket != previous.controlSocket),
                ("Control.Group", fresh.controlGroup != previous.controlGroup),
                ("State.Directory", fresh.stateDirectory != previous.stateDirectory),
                ("Log.Target", fresh.logTarget != previous.logTarget),
            ] where changed {
                logger.warning("\(name) changed; it takes effect when sentineld restarts")
            }
            current.withLock { $0 = fresh }
            logLevel.level = Self.level(fresh.logLevel)
            audit.record(
                AuditEvent(
                    kind: .daemonReloaded, message: "configuration reloaded",
                    fields: [.configFiles: loader.files().joined(separator: " ")]))
            return true
        } catch {
            logger.error("reload failed, keeping the running configuration: \(error)")
            return false
        }
    }
}
