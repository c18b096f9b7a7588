import Foundation
import SentinelCore
import SentinelCrypto
import SentinelStoreContract

/// A small, known world the checks start from.
enum ContractSeed {
    /// Whole seconds near the real time (`counts()` and `updateServer` read the clock themselves).
    static let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))

    static func key() throws -> SecretBox { try SecretBox(key: SecretBox.generateKey()) }

    static func stdio(_ name: String) -> Server {
        Server(
            name: name, transport: .stdio, description: "\(name) server", command: ["/usr/bin/\(name)", "--stdio"],
            createdAt: now, updatedAt: now)
    }

    static func http(_ name: String, credentialMode: CredentialMode = .shared) -> Server {
        Server(
            name: name, transport: .http, url: "https://\(name).example.org/mcp", credentialMode: credentialMode,
            createdAt: now, updatedAt: now)
    }

    static func user(_ name: String, groups: [String] = []) -> User {
        User(name: name, displayName: name.capitalized, groups: groups, createdAt: now, updatedAt: now)
    }

    static func tools(_ server: String, _ names: [String]) -> [Tool] {
        names.map { Tool(server: server, name: $0, description: "does \($0)", discoveredAt: now) }
    }

    static func client(_ id: String, kind: OAuthClient.Kind = .dynamic) -> OAuthClient {
        OAuthClient(
            id: id, name: "client \(id)", kind: kind, redirectURIs: ["http://127.0.0.1/\(id)"], createdAt: now, updatedAt: now)
    }

    /// A backend with a secret key holding users alice (group `staff`) and bob, server `files` (catalog `read`,
    /// `write`), endpoint `eng` with `files` attached, and OAuth clients `c1` and `c2`.
    static func world(_ makeBackend: StoreBackendFactory) async throws -> any StoreBackend {
        let store = try await makeBackend(try key())
        _ = try await store.addUser(user("alice", groups: ["staff"]))
        _ = try await store.addUser(user("bob"))
        _ = try await store.addServer(stdio("files"))
        try await store.replaceCatalog(server: "files", tools: tools("files", ["read", "write"]), at: now)
        _ = try await store.createEndpoint(Endpoint(name: "eng", servers: ["files"], createdAt: now, updatedAt: now))
        try await store.saveClient(client("c1"))
        try await store.saveClient(client("c2"))
        return store
    }

    /// Creates grant `id` of `user` for client `c1` on `endpoint` at `now`, with code `code-<id>`.
    @discardableResult
    static func grant(
        _ store: any StoreBackend, _ id: String, user: String = "alice", endpoint: String = "eng", client: String = "c1",
        lasting duration: TimeInterval = 3600, at time: Date = now
    ) async throws -> Grant {
        let code = PendingCode(
            hash: "code-\(id)", codeChallenge: "challenge-\(id)", redirectURI: "http://127.0.0.1/\(client)",
            expiresAt: time.addingTimeInterval(60))
        return try await store.createGrant(
            id: id, user: user, clientID: client, endpoint: endpoint, duration: duration, scope: "mcp", code: code, now: time)
    }

    /// Issues `access-<id>` (lasting `accessLifetime`) and `refresh-<id>` for a grant.
    static func issue(_ store: any StoreBackend, _ grant: Grant, accessLifetime: TimeInterval = 600, at time: Date = now) async throws {
        try await store.issueTokens(
            TokenHashes(access: "access-\(grant.id)", accessExpiresAt: time.addingTimeInterval(accessLifetime), refresh: "refresh-\(grant.id)"),
            grant: grant, now: time)
    }
}
