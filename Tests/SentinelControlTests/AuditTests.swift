import Foundation
import SentinelControl
import SentinelCore
import SentinelStore
import SentinelVarlink
import Synchronization
import Testing

struct AuditTests {
    @Test func addServerIsAuditedWithPeerAndWithoutEnvironmentValues() async throws {
        try await withHarness { harness in
            let peer = VarlinkPeer(uid: 1000, gid: 777, pid: 31337, groups: [])
            _ = try await harness.call("AddServer", ["server": .object(stdioSpec)], peer: peer)

            let event = try #require(harness.audit.events.last)
            #expect(harness.audit.events.count == 1)
            #expect(event.kind == .configChanged)
            #expect(event.fields[.action] == "server-add")
            #expect(event.fields[.object] == "server")
            #expect(event.fields[.server] == "files")
            #expect(event.fields[.peerUID] == "1000")
            #expect(event.fields[.peerPID] == "31337")
            let summary = try JSONValue.parse(try #require(event.fields[.changes]))
            #expect(summary["environment_keys"] == ["MODE", "SECRET"])
            #expect(!harness.audit.journalText.contains { $0.contains("hunter2") })
            // The environment is stored, only the audit log is kept free of it.
            #expect(try await harness.store.server(named: "files").environment == ["SECRET": "hunter2", "MODE": "ro"])
        }
    }

    @Test func updateServerAuditDoesNotCarryEnvironmentValues() async throws {
        try await withHarness { harness in
            _ = try await harness.call("AddServer", ["server": .object(stdioSpec)])
            _ = try await harness.call(
                "UpdateServer", ["name": "files", "changes": ["environment": ["SECRET": "hunter3"], "description": "docs"]])
            let event = try #require(harness.audit.events.last)
            #expect(event.fields[.action] == "server-update")
            #expect(!harness.audit.journalText.contains { $0.contains("hunter2") || $0.contains("hunter3") })
            #expect(try await harness.store.server(named: "files").environment == ["SECRET": "hunter3"])
        }
    }

    @Test func secretsFromStandardInputReachNeitherTheReplyNorTheAuditLog() async throws {
        try await withHarness { harness in
            let added = try await harness.call(
                "AddServer",
                ["server": ["name": "team", "transport": "http", "url": "https://mcp.example.org/mcp", "credential_mode": "shared",
                            "token": "tok-first-s3cret"]])
            let updated = try await harness.call(
                "UpdateServer", ["name": "team", "changes": ["token": "tok-second-s3cret", "description": "team docs"]])
            let event = try #require(harness.audit.events.last)
            #expect(event.fields[.action] == "server-update")
            #expect(event.message.contains("description, token"))
            #expect(!harness.audit.journalText.contains { $0.contains("s3cret") })
            #expect(!JSONValue.object(added).text().contains("s3cret") && !JSONValue.object(updated).text().contains("s3cret"))
            #expect(harness.credentials.tokens.withLock { $0[.init(server: "team", owner: nil)] } == "tok-second-s3cret")
        }
    }

    @Test func passwordsNeverReachTheAuditLogAndAreStoredAsScryptHashes() async throws {
        try await withHarness { harness in
            let first = "correct horse battery"
            let second = "tr0ub4dor&3-staple"
            let added = try await harness.call("AddUser", ["name": "alice", "display_name": "Alice", "password": .string(first)])
            #expect(added["user"]?["has_password"] == true)
            let firstHash = try #require(try await harness.store.user(named: "alice").passwordHash)
            #expect(firstHash.hasPrefix("$scrypt$"))
            #expect(!firstHash.contains(first))

            _ = try await harness.call("SetPassword", ["name": "alice", "password": .string(second)])
            let secondHash = try #require(try await harness.store.user(named: "alice").passwordHash)
            #expect(secondHash.hasPrefix("$scrypt$"))
            #expect(secondHash != firstHash)

            #expect(harness.audit.events.compactMap { $0.fields[.action] } == ["user-add", "user-set-password"])
            #expect(!harness.audit.journalText.contains { $0.contains(first) || $0.contains(second) })
        }
    }

    @Test func shortPasswordIsInvalidValueAndChangesNothing() async throws {
        try await withHarness { harness in
            let addError = await harness.callError("AddUser", ["name": "alice", "password": "short"])
            #expect(addError?.name == "io.sentinel.Manager.InvalidValue")
            #expect(addError?.parameters["field"] == "password")
            #expect(try await harness.store.users().count == 0)

            _ = try await harness.call("AddUser", ["name": "bob"])
            let setError = await harness.callError("SetPassword", ["name": "bob", "password": "1234567"])
            #expect(setError?.name == "io.sentinel.Manager.InvalidValue")
            #expect(setError?.parameters["field"] == "password")
            #expect(try await harness.store.user(named: "bob").passwordHash == nil)
            #expect(harness.audit.events.compactMap { $0.fields[.action] } == ["user-add"])
            #expect(!harness.audit.journalText.contains { $0.contains("1234567") })
        }
    }

    @Test func revokedSessionsAreAuditedAsGrantRevoked() async throws {
        try await withHarness { harness in
            _ = try await harness.call("AddUser", ["name": "alice"])
            _ = try await harness.call("CreateEndpoint", ["name": "eng"])
            try await harness.insertGrant(id: "g1", user: "alice", endpoint: "eng")
            let reply = try await harness.call("RevokeSession", ["user": "alice"])
            #expect(reply["revoked"]?.arrayValue?.map { $0["id"] } == ["g1"])
            let event = try #require(harness.audit.events.last)
            #expect(event.kind == .grantRevoked)
            #expect(event.fields[.grant] == "g1")
            #expect(event.fields[.user] == "alice")
            #expect(event.fields[.endpoint] == "eng")
            #expect(event.fields[.peerUID] == "0")
        }
    }
}
