import Foundation
import GRDB
import Testing
@testable import SentinelStore
import SentinelCore
import SentinelCrypto

struct StoreSessionTests {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    static func withSealingStore(_ body: (Store, String) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await body(try Store(path: directory.databasePath, secrets: try SecretBox(key: SecretBox.generateKey())), directory.databasePath)
    }

    @Test func theSessionKeyIsMadeOnceSealedAndSurvivesReopeningAndRotation() async throws {
        try await Self.withSealingStore { store, path in
            let key = try await store.mcpSessionKey()
            #expect(key.count == 32)
            #expect(try await store.mcpSessionKey() == key)
            let sealed = try await store.pool.read { db in try Data.fetchOne(db, sql: "SELECT sealed FROM mcp_session_key") }
            #expect(sealed.map { !$0.contains(Data(key)) } == true, "the key is stored sealed")
            let newKey = try SecretBox(key: SecretBox.generateKey())
            _ = try await store.rotateSecretKey(to: newKey) {}
            #expect(try await Store(path: path, secrets: newKey).mcpSessionKey() == key)
        }
    }

    @Test func withoutASecretKeyNoSessionKeyIsMade() async throws {
        try await withStore { store in
            await #expect(throws: StoreError.self) { try await store.mcpSessionKey() }
        }
    }

    @Test func usesAreRecordedForwardAndEndedSessionsStayEnded() async throws {
        try await withStore { store in
            let old = Self.now.addingTimeInterval(-100)
            try await store.recordMCPSessionUse(
                idHash: "h1", endpoint: "eng", clientName: "claude", clientVersion: "1", lastUsed: Self.now, forgetBefore: old)
            try await store.recordMCPSessionUse(
                idHash: "h1", endpoint: "eng", clientName: "claude", clientVersion: "1", lastUsed: old, forgetBefore: old)
            #expect(try await store.mcpSession(idHash: "h1")
                == StoredMCPSession(endpoint: "eng", lastUsed: Self.now, ended: false, clientName: "claude", clientVersion: "1"))
            try await store.endMCPSession(idHash: "h1", endpoint: "eng", at: Self.now.addingTimeInterval(5), forgetBefore: old)
            try await store.recordMCPSessionUse(
                idHash: "h1", endpoint: "eng", clientName: "claude", clientVersion: "1", lastUsed: Self.now.addingTimeInterval(9), forgetBefore: old)
            let ended = try #require(try await store.mcpSession(idHash: "h1"))
            #expect(ended.ended && ended.lastUsed == Self.now.addingTimeInterval(9))
            try await store.endMCPSession(idHash: "never-used", endpoint: "eng", at: Self.now, forgetBefore: old)
            #expect(try await store.mcpSession(idHash: "never-used")?.ended == true)
        }
    }

    @Test func rowsAreForgottenOnceTheirSessionWouldHaveExpired() async throws {
        try await withStore { store in
            try await store.endMCPSession(idHash: "gone", endpoint: "eng", at: Self.now, forgetBefore: Self.now.addingTimeInterval(-60))
            try await store.recordMCPSessionUse(
                idHash: "fresh", endpoint: "eng", clientName: "", clientVersion: "", lastUsed: Self.now.addingTimeInterval(120),
                forgetBefore: Self.now.addingTimeInterval(60))
            #expect(try await store.mcpSession(idHash: "gone") == nil)
            #expect(try await store.mcpSession(idHash: "fresh") != nil)
        }
    }
}
