import Foundation
import SentinelCore
import SentinelStoreContract

extension StoreContractSuite {
    static let grants: [StoreContractCheck] = [
        StoreContractCheck("grantsAreListedNewestFirstAndFilteredByActivity") { make in
            let store = try await ContractSeed.world(make)
            let now = ContractSeed.now
            try await ContractSeed.grant(store, "old", at: now.addingTimeInterval(-300))
            try await ContractSeed.grant(store, "new", user: "bob", at: now.addingTimeInterval(-100))
            try await ContractSeed.grant(store, "expired", lasting: 60, at: now.addingTimeInterval(-200))
            try expectEqual(try await store.grants(matching: GrantFilter(), now: now).map(\.id), ["new", "old"], "active grants")
            try expectEqual(
                try await store.grants(matching: GrantFilter(includeInactive: true), now: now).map(\.id), ["new", "expired", "old"],
                "all grants")
            try expectEqual(try await store.grants(matching: GrantFilter(user: "bob"), now: now).map(\.id), ["new"], "bob's grants")
            let grant = try await store.grants(matching: GrantFilter(id: "old"), now: now).first
            try expectEqual(grant?.clientName, "client c1", "client name")
            try expectEqual(grant?.expiresAt, now.addingTimeInterval(3300), "expiry")
            try expectEqual(try await store.activeGrantIDs(among: ["old", "expired", "unknown"], now: now), ["old"], "active ids")
        },
        StoreContractCheck("revokingGrantsNamesUnknownPartiesAndIsOnlyDoneOnce") { make in
            let store = try await ContractSeed.world(make)
            try await ContractSeed.issue(store, try await ContractSeed.grant(store, "g1"))
            try await expectError(StoreError.notFound(kind: "session", name: "nope")) {
                try await store.revokeGrants(matching: GrantFilter(id: "nope"), now: ContractSeed.now)
            }
            try await expectError(StoreError.notFound(kind: "user", name: "nobody")) {
                try await store.revokeGrants(matching: GrantFilter(user: "nobody"), now: ContractSeed.now)
            }
            let later = ContractSeed.now.addingTimeInterval(5)
            let revoked = try await store.revokeGrants(matching: GrantFilter(id: "g1"), now: later)
            try expectEqual(revoked.map(\.revokedAt), [later], "revocation time")
            try expectEqual(try await store.revokeGrants(matching: GrantFilter(id: "g1"), now: later), [], "second revocation")
            try expect(try await store.accessToken(hash: "access-g1", now: later) == nil, "a revoked grant's token works")
            try expectEqual(try await store.activeGrantIDs(among: ["g1"], now: later), [], "active ids")
        },
        StoreContractCheck("codeIsRedeemedOnceAndItsReuseRevokesTheGrant") { make in
            let store = try await ContractSeed.world(make)
            try await ContractSeed.grant(store, "g1")
            let now = ContractSeed.now
            try await expectError(RefusedCheck()) {
                try await store.redeem(hash: "code-g1", kind: "code", clientID: "c1", now: now) { _ in throw RefusedCheck() }
            }
            guard case .invalid = try await store.redeem(hash: "code-g1", kind: "code", clientID: "c2", now: now, check: { _ in }) else {
                throw ContractViolation(message: "another client redeemed the code", file: #fileID, line: #line)
            }
            guard case .redeemed(let grant, let code) = try await store.redeem(
                hash: "code-g1", kind: "code", clientID: "c1", now: now, check: { _ in })
            else { throw ContractViolation(message: "a code was not redeemed after a failed check", file: #fileID, line: #line) }
            try expectEqual(grant.id, "g1", "redeemed grant")
            try expectEqual(code?.codeChallenge, "challenge-g1", "code challenge")
            guard case .reused(let reused) = try await store.redeem(hash: "code-g1", kind: "code", clientID: "c1", now: now, check: { _ in })
            else { throw ContractViolation(message: "a reused code was not reported", file: #fileID, line: #line) }
            try expectEqual(reused.revokedAt, now, "revocation of a reused code's grant")
            try expectEqual(try await store.activeGrantIDs(among: ["g1"], now: now), [], "active ids after reuse")
        },
        StoreContractCheck("concurrentRedemptionsOfOneTokenRedeemItOnce") { make in
            let store = try await ContractSeed.world(make)
            try await ContractSeed.issue(store, try await ContractSeed.grant(store, "g1"))
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        if case .redeemed = try await store.redeem(
                            hash: "refresh-g1", kind: "refresh", clientID: "c1", now: ContractSeed.now, check: { _ in }) { return true }
                        return false
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            try expectEqual(outcomes.filter { $0 }.count, 1, "redemptions")
        },
        StoreContractCheck("accessTokenLastsUntilTheEarlierOfItsAndItsGrantsExpiry") { make in
            let store = try await ContractSeed.world(make)
            let now = ContractSeed.now
            let grant = try await ContractSeed.grant(store, "g1", lasting: 300)
            try await ContractSeed.issue(store, grant, accessLifetime: 600)
            let token = try await store.accessToken(hash: "access-g1", now: now)
            try expectEqual(
                token, AccessTokenGrant(grantID: "g1", endpoint: "eng", user: "alice", clientID: "c1", scope: "mcp", expiresAt: now.addingTimeInterval(300)),
                "access token")
            try expect(try await store.accessToken(hash: "access-g1", now: now.addingTimeInterval(300)) == nil, "works at its expiry")
            try expect(try await store.accessToken(hash: "refresh-g1", now: now) == nil, "a refresh token works as an access token")
            try await store.touchGrant(id: "g1", address: "192.0.2.7", now: now.addingTimeInterval(1))
            try await store.touchGrant(id: "g1", address: nil, now: now.addingTimeInterval(2))
            let touched = try await store.grants(matching: GrantFilter(id: "g1"), now: now).first
            try expectEqual(touched?.lastUsedAt, now.addingTimeInterval(2), "last use")
            try expectEqual(touched?.lastAddress, "192.0.2.7", "last address")
        },
        StoreContractCheck("revokingARefreshTokenRevokesItsGrantForItsClientOnly") { make in
            let store = try await ContractSeed.world(make)
            try await ContractSeed.issue(store, try await ContractSeed.grant(store, "g1"))
            let now = ContractSeed.now
            try expect(try await store.revokeToken(hash: "refresh-g1", clientID: "c2", now: now) == nil, "another client revoked it")
            try expect(try await store.accessToken(hash: "access-g1", now: now) != nil, "another client's revocation took effect")
            try expect(try await store.revokeToken(hash: "access-g1", clientID: "c1", now: now) == nil, "an access token revoked a grant")
            try expect(try await store.accessToken(hash: "access-g1", now: now) == nil, "a revoked access token works")
            try expectEqual(try await store.activeGrantIDs(among: ["g1"], now: now), ["g1"], "grant after revoking an access token")
            try expectEqual(try await store.revokeToken(hash: "refresh-g1", clientID: "c1", now: now)?.revokedAt, now, "revoked grant")
            try expectEqual(try await store.activeGrantIDs(among: ["g1"], now: now), [], "grant after revoking its refresh token")
        },
        StoreContractCheck("expiredCredentialsAreDeletedAndLiveOnesKept") { make in
            let store = try await ContractSeed.world(make)
            let now = ContractSeed.now
            try await ContractSeed.grant(store, "unredeemed", at: now.addingTimeInterval(-120))
            try await ContractSeed.issue(store, try await ContractSeed.grant(store, "live", at: now.addingTimeInterval(-120)))
            try await store.saveClient(ContractSeed.client("stale"))
            var old = ContractSeed.client("kept", kind: .preregistered)
            old.createdAt = now.addingTimeInterval(-100 * 86_400)
            old.updatedAt = old.createdAt
            try await store.saveClient(old)
            let deleted = try await store.deleteExpiredCredentials(now: now, unusedClientAge: 30 * 86_400)
            try expect(deleted >= 1, "nothing was deleted")
            try expectEqual(
                try await store.grants(matching: GrantFilter(includeInactive: true), now: now).map(\.id), ["live"], "grants kept")
            try expect(try await store.accessToken(hash: "access-live", now: now) != nil, "a live token was deleted")
            try expect(try await store.client(id: "kept") != nil, "a preregistered client was deleted")
            try expect(try await store.client(id: "stale") != nil, "a fresh client was deleted")
            _ = try await store.deleteExpiredCredentials(now: now.addingTimeInterval(31 * 86_400), unusedClientAge: 30 * 86_400)
            try expect(try await store.client(id: "stale") == nil, "an unused registered client was kept")
        },
    ]
}
