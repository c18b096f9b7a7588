import Foundation
import Logging
import SentinelCore
import SentinelStore

/// `sentineld --demo`: a ready endpoint for newcomers.
///
/// Ensures a stdio server `demo` (the sentinel-demo-server next to sentineld) and an
/// endpoint `demo` without authentication (loopback only) exist, with every demo tool
/// enabled the first time. Never touches objects the admin changed afterwards.
struct DemoSetup: Sendable {
    static let name = "demo"
    var demoServerPath: String

    /// The demo server binary beside this executable.
    static func locate() -> DemoSetup? {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let path = executable.deletingLastPathComponent().appendingPathComponent("sentinel-demo-server").path
        return FileManager.default.isExecutableFile(atPath: path) ? DemoSetup(demoServerPath: path) : nil
    }

    /// Creates what is missing; returns true when the endpoint was created now (tools are then enabled).
    func ensureObjects(in store: Store) async throws -> Bool {
        let now = Date()
        if (try? await store.server(named: Self.name)) == nil {
            _ = try await store.addServer(
                Server(
                    name: Self.name, transport: .stdio, description: "Sentinel's demo tools (echo, add, time, slow, fail, crash, hang)",
                    command: [demoServerPath], createdAt: now, updatedAt: now))
        }
        guard (try? await store.endpoint(named: Self.name)) == nil else { return false }
        _ = try await store.createEndpoint(
            Endpoint(
                name: Self.name, description: "Demo endpoint: no authentication, loopback only.", auth: .none,
                servers: [Self.name], createdAt: now, updatedAt: now))
        return true
    }
}
