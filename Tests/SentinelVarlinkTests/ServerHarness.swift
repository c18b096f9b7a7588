import Dispatch
import Foundation
import Logging
import SentinelVarlink
import ServiceLifecycle
import Synchronization

/// A `VarlinkServer` serving `TestInterface`, as a test sees it.
struct RunningServer: Sendable {
    let path: String
    let group: ServiceGroup
    let probe: TestProbe
}

/// Runs a `VarlinkServer` serving `TestInterface` on a fresh socket in a temporary directory,
/// calls `body` with the socket path, then shuts the server down gracefully and removes the directory.
func withTestServer(_ body: (String) async throws -> Void) async throws {
    try await withRunningServer { server in try await body(server.path) }
}

/// Like `withTestServer`, giving `body` the service group (to shut down early) and the probe.
func withRunningServer(_ body: (RunningServer) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vl-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("test.sock").path
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    let probe = TestProbe()
    let server = VarlinkServer(
        listener: .path(path, mode: 0o600),
        interfaces: [try TestInterface(probe: probe)],
        info: VarlinkServiceInfo(vendor: "Sentinel", product: "varlink-tests", version: "9.9", url: "https://example.org/sentinel"),
        logger: logger)
    let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [server], logger: logger))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        await server.waitUntilListening()
        do {
            try await body(RunningServer(path: path, group: group, probe: probe))
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

/// Keeps one blocking client alive across several `blocking` calls; only one thread uses it at a time.
final class ClientBox: @unchecked Sendable {
    let client: VarlinkClient

    init(path: String) throws {
        client = try VarlinkClient(address: path)
    }
}

/// Polls `condition` until it holds or `timeout` seconds have passed; returns whether it held.
func eventually(timeout: Double = 5, _ condition: () -> Bool) async throws -> Bool {
    let deadline = Date(timeIntervalSinceNow: timeout)
    while !condition() {
        guard Date() < deadline else { return false }
        try await Task.sleep(for: .milliseconds(10))
    }
    return true
}

struct BlockingTimeout: Error {}

/// Runs blocking client code on its own thread (so it cannot starve the cooperative pool) and fails
/// with `BlockingTimeout` if it has not finished within `timeout` seconds.
func blocking<T: Sendable>(timeout: Double = 20, _ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let pending = Mutex<CheckedContinuation<T, any Error>?>(continuation)
        let finish: @Sendable (Result<T, any Error>) -> Void = { result in
            pending.withLock { slot in
                slot?.resume(with: result)
                slot = nil
            }
        }
        let thread = Thread { finish(Result { try work() }) }
        thread.start()
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { finish(.failure(BlockingTimeout())) }
    }
}

/// The error `body` throws, or nil.
func thrownError(_ body: () throws -> Void) -> (any Error)? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}
