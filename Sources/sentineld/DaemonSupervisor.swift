import Foundation
import Logging
import SentinelControl
import SentinelCore
import NIOCore
import SentinelGateway
import SentinelStore
import SentinelSystemd
import SentinelVarlink
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Talks to systemd for the daemon: READY once both listeners serve, STATUS,
/// WATCHDOG pings, RELOADING on SIGHUP, STOPPING on shutdown, and idle exit.
final class DaemonSupervisor: Service, Sendable {
    let daemon: Daemon
    let store: Store
    let http: HTTPServer
    let varlink: VarlinkServer
    let catalogs: any CatalogRefreshing
    let demo: DemoSetup?
    let httpIsLoopback: SharedFlag
    let logger: Logger
    private let group = Mutex<ServiceGroup?>(nil)

    init(
        daemon: Daemon, store: Store, http: HTTPServer, varlink: VarlinkServer, catalogs: any CatalogRefreshing,
        demo: DemoSetup?, httpIsLoopback: SharedFlag, logger: Logger
    ) {
        self.daemon = daemon
        self.store = store
        self.http = http
        self.varlink = varlink
        self.catalogs = catalogs
        self.demo = demo
        self.httpIsLoopback = httpIsLoopback
        self.logger = logger
    }

    func attach(group: ServiceGroup) {
        self.group.withLock { $0 = group }
    }

    func run() async throws {
        // Readiness follows the binds: a listener that failed ends the group with its error (naming the address);
        // until the group is cancelled, nothing here may say "ready" or audit a start.
        let httpListens = await http.waitUntilListening()
        let varlinkListens = await varlink.waitUntilListening()
        guard httpListens && varlinkListens else {
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(60)) }
            return
        }
        if let address = http.localAddress?.ipAddress {
            // An inherited socket may be bound anywhere: decide from the actual address.
            let loopback = ListenAddress(host: address, port: 0).isLoopback
            httpIsLoopback.value = loopback
        }
        if let demo { await setUpDemo(demo) }
        let notifier = daemon.notifier
        notifier.ready(status: await statusLine())
        daemon.audit.record(
            AuditEvent(kind: .daemonStarted, message: "sentineld \(SentinelVersion.current) serving", fields: [.pid: String(getpid())]))
        logger.info("ready")

        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { tasks in
                tasks.addTask { await self.handleReloads(hangups) }
                tasks.addTask { await self.tick() }
                await tasks.next()
                tasks.cancelAll()
            }
        } onGracefulShutdown: {
            notifier.stopping()
            self.daemon.audit.record(AuditEvent(kind: .daemonStopping, message: "sentineld stopping", fields: [.pid: String(getpid())]))
            self.logger.info("stopping")
        }
    }

    private func handleReloads(_ signals: UnixSignalsSequence) async {
        for await _ in signals.cancelOnGracefulShutdown() {
            daemon.notifier.reloading()
            logger.info("SIGHUP: reloading configuration")
            _ = daemon.reload(logger: logger)
            daemon.notifier.ready(status: await statusLine())
        }
    }

    /// Once a second: watchdog pings, idle exit; every 15 s the status line.
    private func tick() async {
        let watchdogInterval = daemon.notifier.watchdogInterval
        var lastWatchdog = ContinuousClock.now
        var lastStatus = ContinuousClock.now
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await Task.sleep(for: .milliseconds(watchdogInterval.map { min(1000, Int($0.components.seconds * 250)) } ?? 1000))
            } catch {
                return
            }
            let now = ContinuousClock.now
            if let watchdogInterval, now - lastWatchdog >= watchdogInterval / 2 {
                daemon.notifier.watchdog()
                lastWatchdog = now
            }
            if now - lastStatus >= .seconds(15) {
                daemon.notifier.status(await statusLine())
                lastStatus = now
            }
            let idleLimit = daemon.configuration.idleExitSeconds
            if idleLimit > 0, let idle = daemon.activity.idleDuration(now: now), idle >= .seconds(idleLimit) {
                logger.info("idle for \(idleLimit) s; exiting until the next connection")
                let group = self.group.withLock { $0 }
                await group?.triggerGracefulShutdown()
                return
            }
        }
    }

    private func setUpDemo(_ demo: DemoSetup) async {
        guard httpIsLoopback.value else {
            logger.warning("--demo needs a loopback HTTP listener; no demo endpoint created")
            return
        }
        do {
            let created = try await demo.ensureObjects(in: store)
            await catalogs.refresh(server: DemoSetup.name)
            if created {
                _ = try await store.setTools(endpoint: DemoSetup.name, tools: [], allOf: [DemoSetup.name], enabled: true)
            }
            let url = daemon.configuration.effectivePublicURL + "/mcp/" + DemoSetup.name
            logger.notice("demo endpoint ready: \(url) (no authentication; loopback only)")
        } catch {
            logger.error("cannot set up the demo endpoint: \(error)")
        }
    }

    func statusLine() async -> String {
        guard let counts = try? await store.counts() else { return "Serving" }
        return "Serving \(counts.endpoints) endpoint(s) from \(counts.servers) server(s); "
            + "\(counts.activeGrants) active session(s); \(daemon.activity.openConnections) open connection(s)"
    }
}
