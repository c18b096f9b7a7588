import Foundation
import GRDB
import Logging
import SentinelControl
import SentinelCore
@testable import SentinelStore
import SentinelVarlink
import Synchronization
import Testing

/// An audit sink that keeps every event in memory.
final class RecordingAuditSink: AuditSink, Sendable {
    private let recorded = Mutex<[AuditEvent]>([])

    func record(_ event: AuditEvent) {
        recorded.withLock { $0.append(event) }
    }

    var events: [AuditEvent] { recorded.withLock { $0 } }

    /// Every string the journal would receive for these events (messages and field values).
    var journalText: [String] {
        events.flatMap { $0.journalFields(identifier: "sentineld").map(\.1) }
    }
}

/// Revocations as the control plane hands them over, kept in memory (the real ones live in SentinelAuth).
final class RecordingRevocations: GrantRevoking {
    private let recorded = Mutex<[[String]]>([])

    func revoke(grantIDs: [String], by origin: ChangeOrigin) {
        recorded.withLock { $0.append(grantIDs) }
    }

    /// The grant ids of each `revoke` call, in order.
    var calls: [[String]] { recorded.withLock { $0 } }
}

/// The daemon's credential handling, in memory: tokens by server and owner (nil: the server's own credential).
final class RecordingCredentials: CredentialAdministering {
    struct Key: Hashable {
        var server: String
        var owner: String?
    }

    let tokens = Mutex<[Key: String]>([:])
    let users = Mutex<[String: (connected: Int, expired: Int)]>([:])

    func setSharedToken(server: Server, token: String) async throws {
        tokens.withLock { $0[Key(server: server.name, owner: nil)] = token }
    }

    func beginSharedLogin(server: Server) async throws -> String {
        "https://auth.example.org/authorize?server=\(server.name)"
    }

    func discard(server: String, shared: Bool) async throws {
        if shared {
            tokens.withLock { $0[Key(server: server, owner: nil)] = nil }
        } else {
            tokens.withLock { $0 = $0.filter { $0.key.server != server || $0.key.owner == nil } }
            users.withLock { $0[server] = nil }
        }
    }

    func summary(server: String) async throws -> (connectedUsers: Int, expiredUsers: Int, shared: String?) {
        let counts = users.withLock { $0[server] } ?? (connected: 0, expired: 0)
        let own = tokens.withLock { $0[Key(server: server, owner: nil)] }
        return (counts.connected, counts.expired, own == nil ? nil : "connected")
    }

    func rotateSecretKey() async throws -> Int {
        throw SecretKeyNotRotatable(reason: "not in tests")
    }
}

/// A `ManagerInterface` over a real store in a temporary directory, with a recording audit sink.
struct ControlHarness {
    static let admin = VarlinkPeer(uid: 0, gid: 0, pid: 4242, groups: [])
    static let policy = ControlAccessPolicy(daemonUID: 999, groupID: 777)
    static let prefix = "io.sentinel.Manager."

    let directory: URL
    let store: Store
    let audit = RecordingAuditSink()
    let changes = ChangeBroadcaster()
    let revocations = RecordingRevocations()
    let credentials = RecordingCredentials()
    let manager: ManagerInterface

    init(policy: ControlAccessPolicy = ControlHarness.policy) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sentinel-control-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(path: directory.appendingPathComponent("sentinel.sqlite").path)
        let stateDirectory = directory.path
        manager = try ManagerInterface(
            store: store, audit: audit, policy: policy, changes: changes, revocations: revocations, credentials: credentials,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            runtime: {
                DaemonRuntimeStatus(
                    version: SentinelVersion.current, pid: 4321, started: Date(timeIntervalSinceNow: -60),
                    publicURL: "https://mcp.example.org", httpListen: "127.0.0.1:8080",
                    controlSocket: "/run/sentinel/io.sentinel.Manager", stateDirectory: stateDirectory, openConnections: 2,
                    httpIsLoopback: true)
            })
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Calls a method as the server would after checking the IDL; every reply is checked against the IDL too.
    func call(
        _ method: String, _ parameters: [String: JSONValue] = [:], peer: VarlinkPeer = admin,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> [String: JSONValue] {
        if let bad = manager.definition.invalidParameter(in: parameters, method: method) {
            throw VarlinkError.invalidParameter(bad)
        }
        switch try await manager.handle(VarlinkCall(method: Self.prefix + method, parameters: parameters), peer: peer) {
        case .reply(let reply):
            let bad = manager.definition.invalidReplyField(in: reply, method: method)
            #expect(bad == nil, "reply of \(method) does not match the IDL at \(bad ?? "")", sourceLocation: sourceLocation)
            return reply
        case .stream:
            throw VarlinkError.expectedMore
        }
    }

    /// The named error a varlink client would see for this call, or nil when it succeeds.
    func callError(_ method: String, _ parameters: [String: JSONValue] = [:], peer: VarlinkPeer = admin) async -> VarlinkError? {
        do {
            _ = try await call(method, parameters, peer: peer)
            return nil
        } catch let error as VarlinkError {
            return error
        } catch {
            return manager.varlinkError(for: error)
        }
    }

    /// Inserts an OAuth client `c1` and an active grant `id` of `user` on `endpoint`.
    func insertGrant(id: String, user: String, endpoint: String) async throws {
        let now = Date()
        try await store.pool.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO oauth_clients (id, name, kind, created_at) VALUES ('c1', 'Claude', 'dynamic', ?)",
                arguments: [now])
            try db.execute(
                sql: """
                    INSERT INTO grants (id, user_id, client_id, endpoint_id, created_at, expires_at)
                    VALUES (?, (SELECT id FROM users WHERE name = ?), 'c1', (SELECT id FROM endpoints WHERE name = ?), ?, ?)
                    """,
                arguments: [id, user, endpoint, now, now.addingTimeInterval(3600)])
        }
    }
}

/// Runs `body` with a fresh harness and removes its directory afterwards.
func withHarness(_ body: (ControlHarness) async throws -> Void) async throws {
    let harness = try ControlHarness()
    defer { harness.remove() }
    try await body(harness)
}

let stdioSpec: [String: JSONValue] = [
    "name": "files", "transport": "stdio", "command": ["/usr/bin/mcp-files", "--root", "/srv"],
    "environment": ["SECRET": "hunter2", "MODE": "ro"],
]
