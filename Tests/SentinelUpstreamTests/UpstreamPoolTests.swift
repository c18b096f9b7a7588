import Foundation
import SentinelCore
import SentinelUpstream
import Synchronization
import Testing

/// A pool whose stdio clients are recorded, with what their processes wrote to stderr.
private final class RecordingFactory: Sendable {
    let lines = StderrLines()
    private let made = Mutex<[StdioUpstreamClient]>([])

    var clients: [StdioUpstreamClient] { made.withLock { $0 } }

    func makePool(idleTimeout: Duration = .seconds(600)) -> UpstreamPool {
        UpstreamPool(idleTimeout: idleTimeout, logger: StdioFixtures.logger) { server in
            let client = StdioFixtures.client(for: server, lines: self.lines)
            self.made.withLock { $0.append(client) }
            return client
        }
    }

    /// Processes spawned so far: the demo server announces itself on stderr when it starts.
    var spawnedDemoServers: Int { lines.all.filter { $0.contains(" serving ") }.count }
}

@Suite("UpstreamPool with real child processes")
struct UpstreamPoolTests {
    @Test func concurrentCallersShareOneStart() async throws {
        let factory = RecordingFactory()
        let pool = factory.makePool()
        let server = try StdioFixtures.demoServer()
        async let first = pool.client(for: server)
        async let second = pool.client(for: server)
        let clients = try await [first, second]
        for client in clients {
            _ = try await client.request("ping", params: nil, timeout: .seconds(5), progress: nil)
        }
        #expect(factory.clients.count == 1)
        #expect(await factory.lines.waitFor { $0.contains(" serving ") })
        try await Task.sleep(for: .milliseconds(200))
        #expect(factory.spawnedDemoServers == 1)
        await pool.shutdownAll()
        #expect(factory.clients.allSatisfy { $0.processIdentifier == nil })
    }

    @Test func ownersGetTheirOwnClients() async throws {
        let factory = RecordingFactory()
        let pool = factory.makePool()
        let server = try StdioFixtures.demoServer()
        _ = try await pool.client(for: server)
        _ = try await pool.client(for: server, owner: "alice")
        _ = try await pool.client(for: server)
        #expect(factory.clients.count == 2)
        await pool.shutdownAll()
    }

    @Test func invalidateRestartsWithTheNewConfiguration() async throws {
        let factory = RecordingFactory()
        let pool = factory.makePool()
        let before = try StdioFixtures.demoServer()
        let client = try await pool.client(for: before)
        _ = try await client.request("ping", params: nil, timeout: .seconds(5), progress: nil)
        let oldPID = try #require(factory.clients.first?.processIdentifier)

        await pool.invalidate(server: before.name)
        #expect(!StdioFixtures.isRunning(oldPID))
        await #expect(throws: UpstreamError.self) {
            _ = try await client.request("ping", params: nil, timeout: .seconds(1), progress: nil)
        }

        let after = try StdioFixtures.demoServer(arguments: ["--tools-prefix", "v2_"])
        let renewed = try await pool.client(for: after)
        let tools = try await CatalogFetcher.listTools(using: renewed, server: after.name, timeout: .seconds(5), now: Date()).entries
        #expect(tools.first?.name == "v2_echo")
        #expect(factory.clients.count == 2)
        await pool.shutdownAll()
    }

    @Test func restartsAfterCrashesBackOff() async throws {
        let factory = RecordingFactory()
        let pool = factory.makePool()
        let server = try StdioFixtures.demoServer()
        for _ in 0..<2 {
            let client = try await pool.client(for: server)
            await #expect(throws: UpstreamError.self) {
                _ = try await client.request(
                    "tools/call", params: StdioFixtures.toolCall("crash"), timeout: .seconds(5), progress: nil)
            }
        }
        let restartBegan = ContinuousClock.now
        let client = try await pool.client(for: server)
        #expect(ContinuousClock.now - restartBegan >= .milliseconds(400))
        _ = try await client.request("ping", params: nil, timeout: .seconds(5), progress: nil)

        // A successful call resets the backoff.
        let quick = ContinuousClock.now
        _ = try await pool.client(for: server)
        #expect(ContinuousClock.now - quick < .milliseconds(400))
        #expect(factory.clients.count == 1, "a crash restarts the same client, it does not make a new one")
        await pool.shutdownAll()
    }

    @Test func aFailedStartIsReportedAndRetriedLater() async throws {
        let factory = RecordingFactory()
        let pool = factory.makePool()
        let broken = StdioFixtures.server(name: "broken", command: ["/bin/sh", "-c", "exit 9"])
        await #expect(throws: UpstreamError.self) { _ = try await pool.client(for: broken) }
        let retry = ContinuousClock.now
        await #expect(throws: UpstreamError.self) { _ = try await pool.client(for: broken) }
        #expect(ContinuousClock.now - retry >= .milliseconds(400))
        await pool.shutdownAll()
    }

    @Test func upstreamListChangedArrivesTaggedWithTheServer() async throws {
        let factory = RecordingFactory()
        let pool = factory.makePool()
        let server = StdioFixtures.shellServer(
            name: "scripted",
            afterwards: #"""
                printf '{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}\n'
                while read -r line; do :; done
                """#)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await pool.run() }
            do {
                _ = try await pool.client(for: server)
            } catch {
                Issue.record("the scripted server did not start: \(error)")
            }
            let received = await StdioFixtures.first(of: pool.notifications)
            #expect(received?.server == "scripted")
            #expect(received?.notification.method == "notifications/tools/list_changed")
            group.cancelAll()
        }
        // run() shut its clients down as it ended.
        #expect(factory.clients.allSatisfy { $0.processIdentifier == nil })
    }

    @Test func anIdleClientIsStoppedAndStartedAgainOnNeed() async throws {
        let factory = RecordingFactory()
        let pool = factory.makePool(idleTimeout: .milliseconds(300))
        let server = try StdioFixtures.demoServer()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await pool.run() }
            let client = try await pool.client(for: server)
            _ = try await client.request("ping", params: nil, timeout: .seconds(5), progress: nil)
            let pid = try #require(factory.clients.first?.processIdentifier)

            let deadline = ContinuousClock.now + .seconds(5)
            while StdioFixtures.isRunning(pid), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(!StdioFixtures.isRunning(pid))

            let again = try await pool.client(for: server)
            _ = try await again.request("ping", params: nil, timeout: .seconds(5), progress: nil)
            #expect(factory.clients.count == 2)
            group.cancelAll()
        }
    }
}
