import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import SentinelControl
import SentinelCore
import SentinelVarlink
import ServiceLifecycle
import Testing

@Suite(.timeLimit(.minutes(1)))
struct ControlSocketTests {
    /// Serves the harness's manager on a real socket for `body`, then shuts down gracefully.
    static func serve(_ harness: ControlHarness, _ body: (String, SubscriptionCounter) async throws -> Void) async throws {
        let path = harness.directory.appendingPathComponent("control.sock").path
        let observed = ObservedManager(inner: harness.manager)
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let server = VarlinkServer(
            listener: .path(path, mode: 0o660), interfaces: [observed],
            info: VarlinkServiceInfo(vendor: "Sentinel", product: "sentineld", version: SentinelVersion.current, url: "https://example.org"),
            logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [server], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await server.waitUntilListening()
            do {
                try await body(path, observed.counter)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test func callsOverTheSocketAreCheckedAgainstTheIDLAndAnswered() async throws {
        let harness = try ControlHarness(policy: ControlAccessPolicy(daemonUID: geteuid(), groupID: nil))
        defer { harness.remove() }
        try await Self.serve(harness) { path, _ in
            let (added, bad, missing) = try await blocking {
                let client = try VarlinkClient(address: path)
                let added = try client.call("io.sentinel.Manager.AddServer", ["server": .object(stdioSpec)])
                var bad: (any Error)?
                do { _ = try client.call("io.sentinel.Manager.AddServer", ["server": ["name": "x", "transport": "carrier-pigeon"]]) } catch { bad = error }
                var missing: (any Error)?
                do { _ = try client.call("io.sentinel.Manager.GetServer", ["name": "ghost"]) } catch { missing = error }
                return (added, bad, missing)
            }
            #expect(added["server"]?["environment"] == ["SECRET": "hunter2", "MODE": "ro"])
            #expect(bad as? VarlinkError == .invalidParameter("server.transport"))
            #expect(missing as? VarlinkError == VarlinkError("io.sentinel.Manager.NoSuchServer", ["name": "ghost"]))
            #expect(harness.audit.events.last?.fields[.peerPID] == String(getpid()))
            #expect(harness.audit.events.last?.fields[.peerUID] == String(geteuid()))
        }
    }

    /// `sentinelctl watch` must print a change when it happens, not when the next one does.
    @Test func watchChangesOverTheSocketDeliversEachChangeAsItHappens() async throws {
        let harness = try ControlHarness(policy: ControlAccessPolicy(daemonUID: geteuid(), groupID: nil))
        defer { harness.remove() }
        try await Self.serve(harness) { path, observed in
            let watcher = try await blocking { try ClientBox(path: path) }
            try await blocking {
                try watcher.client.send(VarlinkCall(method: "io.sentinel.Manager.WatchChanges", more: true).message)
            }
            let deadline = Date(timeIntervalSinceNow: 5)
            while observed.value == 0 && Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
            try #require(observed.value == 1)

            _ = try await blocking {
                try VarlinkClient(address: path).call("io.sentinel.Manager.AddServer", ["server": .object(stdioSpec)])
            }
            let first = try? await blocking(timeout: 3) { try watcher.client.receive() }
            #expect(first?["parameters"]?["change"]?["action"] == "server-add", "no change arrived: \(String(describing: first))")
            #expect(first?["continues"] == true)
        }
    }
}
