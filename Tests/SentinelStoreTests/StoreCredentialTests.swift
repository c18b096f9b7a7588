import Foundation
import GRDB
import SentinelCrypto
import Testing
@testable import SentinelStore
import SentinelCore

struct StoreCredentialTests {
    static let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))

    static func withSecretStore(_ body: (Store, String) async throws -> Void) async throws {
        try await withSecretStore(key: SecretBox.generateKey()) { store, path, _ in try await body(store, path) }
    }

    static func withSecretStore(key: [UInt8], _ body: (Store, String, [UInt8]) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try Store(path: directory.databasePath, secrets: try SecretBox(key: key))
        var server = Fixture.http("gh")
        server.credentialMode = .personal
        server.credentialKind = .oauth
        server.oauthClientID = "client-1"
        server.oauthClientSecret = "client-secret-XYZ"
        _ = try await store.addServer(server)
        _ = try await store.addUser(Fixture.user("alice"))
        _ = try await store.addUser(Fixture.user("bob"))
        try await body(store, directory.databasePath, key)
    }

    static func credential(_ owner: String?, _ token: String) -> UpstreamCredential {
        UpstreamCredential(
            server: "gh", owner: owner, kind: .oauth, accessToken: token, refreshToken: "refresh-\(token)",
            expiresAt: now.addingTimeInterval(3600), tokenEndpoint: "https://as.example/token", updatedAt: now)
    }

    @Test func credentialsAreKeptPerOwnerAndSealed() async throws {
        try await Self.withSecretStore { store, path in
            try await store.saveCredential(Self.credential("alice", "alice-token-123"))
            try await store.saveCredential(Self.credential("bob", "bob-token-456"))
            try await store.saveCredential(Self.credential(nil, "shared-token-789"))
            #expect(try await store.credential(server: "gh", owner: "alice")?.accessToken == "alice-token-123")
            #expect(try await store.credential(server: "gh", owner: "bob")?.refreshToken == "refresh-bob-token-456")
            #expect(try await store.credential(server: "gh", owner: nil)?.accessToken == "shared-token-789")
            #expect(try await store.credentialStates(server: "gh") == ["alice": .connected, "bob": .connected])
            try await store.markCredentialExpired(server: "gh", owner: "alice")
            #expect(try await store.credential(server: "gh", owner: "alice")?.state == .expired)
            #expect(try await store.server(named: "gh").oauthClientSecret == "client-secret-XYZ")
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path)) + ((try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data())
            for secret in ["alice-token-123", "bob-token-456", "shared-token-789", "client-secret-XYZ"] {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) is stored in plain text")
            }
            try await store.deleteCredentials(server: "gh", shared: false)
            #expect(try await store.credentialStates(server: "gh").isEmpty)
            #expect(try await store.credential(server: "gh", owner: nil) != nil)
        }
    }

    @Test func aTokenSavedUncheckedIsKeptAsNotVerifiedAndTheServersHintIsKept() async throws {
        try await Self.withSecretStore { store, _ in
            var unchecked = Self.credential("alice", "alice-token-123")
            unchecked.verified = false
            try await store.saveCredential(unchecked)
            try await store.saveCredential(Self.credential("bob", "bob-token-456"))
            #expect(try await store.credential(server: "gh", owner: "alice")?.verified == false)
            #expect(try await store.credential(server: "gh", owner: "bob")?.verified == true)
            // Still usable: its state is connected.
            #expect(try await store.credentialStates(server: "gh") == ["alice": .connected, "bob": .connected])
            #expect(try await store.server(named: "gh").credentialHint == nil)
            _ = try await store.updateServer(named: "gh") { $0.credentialHint = "Settings → Developer → Tokens" }
            #expect(try await store.server(named: "gh").credentialHint == "Settings → Developer → Tokens")
        }
    }

    @Test func aCredentialSealedForOneOwnerCannotBeReadAsAnothers() async throws {
        try await Self.withSecretStore { store, _ in
            try await store.saveCredential(Self.credential("alice", "alice-token-123"))
            // Move alice's sealed row to bob: the associated data no longer matches, so it does not open.
            try await store.pool.write { db in
                try db.execute(sql: "UPDATE credentials SET user_id = (SELECT id FROM users WHERE name = 'bob')")
            }
            await #expect(throws: CryptoError.self) { try await store.credential(server: "gh", owner: "bob") }
        }
    }

    @Test func rotationReencryptsEverythingAndTheOldKeyNoLongerOpensIt() async throws {
        try await Self.withSecretStore(key: SecretBox.generateKey()) { store, path, oldKey in
            try await store.saveCredential(Self.credential("alice", "alice-token-123"))
            try await store.createUpstreamAuthorization(
                stateHash: "s1", PendingUpstreamAuthorization(server: "gh", user: "alice", codeVerifier: "verifier-1", returnTo: "/x"),
                expiresAt: Self.now.addingTimeInterval(600), now: Self.now)
            try await store.saveOAuthRegistration(server: "gh", #"{"client_id":"dcr-1"}"#)
            #expect(try await store.secretKeyMatches())
            let newKey = try SecretBox(key: SecretBox.generateKey())
            let count = try await store.rotateSecretKey(to: newKey) {}
            #expect(count == 4)  // client secret, registration, credential, pending flow
            #expect(try await store.secretKeyMatches())
            #expect(try await store.credential(server: "gh", owner: "alice")?.accessToken == "alice-token-123")
            #expect(try await store.oauthRegistration(server: "gh") == #"{"client_id":"dcr-1"}"#)
            #expect(try await store.takeUpstreamAuthorization(stateHash: "s1", now: Self.now)?.codeVerifier == "verifier-1")
            let reopened = try Store(path: path, secrets: newKey)
            #expect(try await reopened.server(named: "gh").oauthClientSecret == "client-secret-XYZ")
            let stale = try Store(path: path, secrets: try SecretBox(key: oldKey))
            #expect(try await stale.secretKeyMatches() == false)
            await #expect(throws: (any Error).self) { try await stale.credential(server: "gh", owner: "alice") }
        }
    }

    @Test func aFailedPersistStepLeavesTheOldKeyInForce() async throws {
        struct Refused: Error {}
        try await Self.withSecretStore { store, _ in
            try await store.saveCredential(Self.credential("alice", "alice-token-123"))
            _ = try await store.secretKeyMatches()
            await #expect(throws: Refused.self) {
                try await store.rotateSecretKey(to: try SecretBox(key: SecretBox.generateKey())) { throw Refused() }
            }
            #expect(try await store.credential(server: "gh", owner: "alice")?.accessToken == "alice-token-123")
            #expect(try await store.secretKeyMatches())
        }
    }

    @Test func aWrongKeyIsNoticedByTheCanary() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try Store(path: directory.databasePath, secrets: try SecretBox(key: SecretBox.generateKey()))
        #expect(try await first.secretKeyMatches())
        let second = try Store(path: directory.databasePath, secrets: try SecretBox(key: SecretBox.generateKey()))
        #expect(try await second.secretKeyMatches() == false)
    }

    @Test func upstreamFlowsAreTakenOnceAndExpire() async throws {
        try await Self.withSecretStore { store, _ in
            let pending = PendingUpstreamAuthorization(server: "gh", user: "alice", codeVerifier: "v", returnTo: "/oauth/credentials")
            try await store.createUpstreamAuthorization(stateHash: "a", pending, expiresAt: Self.now.addingTimeInterval(10), now: Self.now)
            try await store.createUpstreamAuthorization(stateHash: "b", pending, expiresAt: Self.now.addingTimeInterval(10), now: Self.now)
            #expect(try await store.takeUpstreamAuthorization(stateHash: "a", now: Self.now) == pending)
            #expect(try await store.takeUpstreamAuthorization(stateHash: "a", now: Self.now) == nil)
            #expect(try await store.takeUpstreamAuthorization(stateHash: "b", now: Self.now.addingTimeInterval(11)) == nil)
        }
    }
}
