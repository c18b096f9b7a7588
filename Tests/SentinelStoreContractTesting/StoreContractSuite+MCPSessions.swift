import Foundation
import SentinelCore
import SentinelStoreContract

extension StoreContractSuite {
    static let mcpSessions: [StoreContractCheck] = [
        StoreContractCheck("sessionKeyIsMadeOnceEvenByConcurrentFirstCalls") { make in
            let store = try await make(try ContractSeed.key())
            let keys = try await withThrowingTaskGroup(of: [UInt8].self) { group in
                for _ in 0..<6 { group.addTask { try await store.mcpSessionKey() } }
                return try await group.reduce(into: Set<[UInt8]>()) { $0.insert($1) }
            }
            try expectEqual(keys.count, 1, "distinct keys")
            try expectEqual(keys.first?.count, 32, "key length")
            try expectEqual(try await store.mcpSessionKey(), keys.first, "key on a later call")
        },
        StoreContractCheck("sessionUseNeverMovesBackNorRevivesAnEndedSession") { make in
            let store = try await make(try ContractSeed.key())
            let now = ContractSeed.now
            let long = now.addingTimeInterval(-86_400)
            try await store.recordMCPSessionUse(
                idHash: "s1", endpoint: "eng", clientName: "claude", clientVersion: "1", lastUsed: now, forgetBefore: long)
            try await store.recordMCPSessionUse(
                idHash: "s1", endpoint: "eng", clientName: "claude", clientVersion: "1", lastUsed: now.addingTimeInterval(-60),
                forgetBefore: long)
            try expectEqual(
                try await store.mcpSession(idHash: "s1"),
                StoredMCPSession(endpoint: "eng", lastUsed: now, ended: false, clientName: "claude", clientVersion: "1"), "session")
            try await store.endMCPSession(idHash: "s1", endpoint: "eng", at: now.addingTimeInterval(1), forgetBefore: long)
            try await store.recordMCPSessionUse(
                idHash: "s1", endpoint: "eng", clientName: "claude", clientVersion: "1", lastUsed: now.addingTimeInterval(2),
                forgetBefore: long)
            try expectEqual(try await store.mcpSession(idHash: "s1")?.ended, true, "ended after a later use")
            try await store.recordMCPSessionUse(
                idHash: "s2", endpoint: "eng", clientName: "", clientVersion: "", lastUsed: now.addingTimeInterval(10),
                forgetBefore: now.addingTimeInterval(5))
            try expect(try await store.mcpSession(idHash: "s1") == nil, "a session older than forgetBefore was kept")
            try expect(try await store.mcpSession(idHash: "unknown") == nil, "an unknown session was found")
        },
    ]
}
