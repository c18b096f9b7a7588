import Foundation
import Logging
import SentinelControl
import SentinelCore
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
    let logger: Logger
    private let group = Mutex<ServiceGroup?>(nil)

    init(daemon: Daemon, store: Store, http: HTTPServer, varlink: VarlinkServer, logger: Logger) {
        self.daemon = daemon
        self.store = store
        self.http = http
        self.varlink = varlink
        self.logger = logger
    }

    func attach(group: ServiceGroup) {
        self.group.withLock { $0 = group }
    }

    func run() async throws {
        await http.waitUntilListening()
        await varlink.waitUntilListening()
        let notifier = daemon.notifier
        notifier.ready(status: await statusLine())
        daemon.audit.record(
            AuditEvent(kind: .daemonStarted, message: "sentineld \(SentinelVersion.current) serving", fields: ["PID": String(getpid())]))
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
            self.daemon.changes.finishAll()
            self.daemon.audit.record(AuditEvent(kind: .daemonStopping, message: "sentineld stopping", fields: ["PID": String(getpid())]))
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

    func statusLine() async -> String {
        guard let counts = try? await store.counts() else { return "Serving" }
        return "Serving \(counts.endpoints) endpoint(s) from \(counts.servers) server(s); "
            + "\(counts.activeGrants) active session(s); \(daemon.activity.openConnections) open connection(s)"
    }
}
