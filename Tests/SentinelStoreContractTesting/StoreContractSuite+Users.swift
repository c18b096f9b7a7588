import Foundation
import SentinelCore
import SentinelStoreContract

extension StoreContractSuite {
    static let users: [StoreContractCheck] = [
        StoreContractCheck("userRoundTripsWithGroupsByNameAndNamesAreUnique") { make in
            let store = try await make(nil)
            let zoe = ContractSeed.user("zoe", groups: ["ops", "eng"])
            _ = try await store.addUser(zoe)
            _ = try await store.addUser(ContractSeed.user("adam"))
            var stored = zoe
            stored.groups = ["eng", "ops"]
            try expectEqual(try await store.user(named: "zoe"), stored, "stored user")
            try expectEqual(try await store.users().map(\.name), ["adam", "zoe"], "users by name")
            try await expectError(StoreError.alreadyExists(kind: "user", name: "zoe")) { try await store.addUser(zoe) }
            try await expectError(StoreError.notFound(kind: "user", name: "nobody")) { try await store.user(named: "nobody") }
            do {
                _ = try await store.addUser(ContractSeed.user("Not A Name"))
                throw ContractViolation(message: "an invalid user name was stored", file: #fileID, line: #line)
            } catch StoreError.invalid {}
        },
        StoreContractCheck("changeGroupsIsIdempotent") { make in
            let store = try await ContractSeed.world(make)
            _ = try await store.changeGroups(user: "alice", add: ["ops"], remove: [])
            let after = try await store.changeGroups(user: "alice", add: ["ops"], remove: ["never-held"])
            try expectEqual(after.groups, ["ops", "staff"], "groups")
            try expectEqual(try await store.changeGroups(user: "alice", add: [], remove: ["staff"]).groups, ["ops"], "groups after removal")
        },
        StoreContractCheck("newPasswordEndsSignIns") { make in
            let store = try await ContractSeed.world(make)
            let later = ContractSeed.now.addingTimeInterval(3600)
            try await store.createSignIn(hash: "cookie", user: "alice", expiresAt: later, address: nil, now: ContractSeed.now)
            try await store.setPasswordHash(user: "alice", hash: "new-hash")
            try expect(try await store.signedInUser(hash: "cookie", now: ContractSeed.now) == nil, "the old sign-in still works")
            try expectEqual(try await store.user(named: "alice").passwordHash, "new-hash", "password hash")
            try await store.setDisplayName(user: "alice", "Alice A.")
            try expectEqual(try await store.user(named: "alice").displayName, "Alice A.", "display name")
        },
        StoreContractCheck("removingAUserTakesTheirGrantsSignInsAndCredentials") { make in
            let store = try await ContractSeed.world(make)
            _ = try await store.addServer(ContractSeed.http("web", credentialMode: .personal))
            try await store.saveCredential(
                UpstreamCredential(server: "web", owner: "alice", kind: .bearer, accessToken: "a", updatedAt: ContractSeed.now))
            try await ContractSeed.issue(store, try await ContractSeed.grant(store, "g1"))
            try await ContractSeed.grant(store, "g2", user: "bob")
            try await store.createSignIn(
                hash: "cookie", user: "alice", expiresAt: ContractSeed.now.addingTimeInterval(60), address: nil, now: ContractSeed.now)
            try await store.removeUser(named: "alice")
            try expectEqual(
                try await store.grants(matching: GrantFilter(includeInactive: true), now: ContractSeed.now).map(\.id), ["g2"], "grants")
            try expect(try await store.accessToken(hash: "access-g1", now: ContractSeed.now) == nil, "alice's token still works")
            try expect(try await store.signedInUser(hash: "cookie", now: ContractSeed.now) == nil, "alice's sign-in still works")
            try expectEqual(try await store.credentialStates(server: "web"), [:], "credentials of web")
            try await expectError(StoreError.notFound(kind: "user", name: "alice")) { try await store.removeUser(named: "alice") }
        },
    ]
}
