import Foundation
import GRDB
@testable import SentinelStore
import SentinelCore

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("sentinel-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    var databasePath: String { url.appendingPathComponent("sentinel.sqlite").path }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// Runs `body` with a migrated store in a fresh temporary directory, then deletes the directory.
func withStore(_ body: (Store) async throws -> Void) async throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let store = try Store(path: directory.databasePath)
    try await body(store)
}

enum Fixture {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    static func stdio(_ name: String, environment: [String: String] = [:]) -> Server {
        Server(
            name: name, transport: .stdio, description: "\(name) server", command: ["/usr/bin/\(name)", "--stdio"],
            environment: environment, createdAt: now, updatedAt: now)
    }

    static func http(_ name: String) -> Server {
        Server(name: name, transport: .http, url: "https://\(name).example.org/mcp", credentialMode: .shared, createdAt: now, updatedAt: now)
    }

    static func endpoint(_ name: String, servers: [String] = []) -> Endpoint {
        Endpoint(name: name, servers: servers, createdAt: now, updatedAt: now)
    }

    static func tools(_ server: String, _ names: [String]) -> [Tool] {
        names.map { Tool(server: server, name: $0, description: "does \($0)", discoveredAt: now) }
    }

    static func user(_ name: String) -> User {
        User(name: name, displayName: name.capitalized, createdAt: now, updatedAt: now)
    }
}
