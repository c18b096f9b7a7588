import Foundation
import SentinelCore
import SentinelStoreContract

extension StoreContractSuite {
    static let accessLists: [StoreContractCheck] = [
        StoreContractCheck("denyRevokesTheGrantsOfUsersNoLongerAdmitted") { make in
            let store = try await ContractSeed.world(make)
            try await expectError(StoreError.notFound(kind: "user", name: "nobody")) {
                try await store.allow([.user("nobody")], endpoint: "eng")
            }
            _ = try await store.allow([.user("bob"), .group("staff")], endpoint: "eng")
            let access = try await store.allow([.user("bob")], endpoint: "eng")
            try expectEqual(access, EndpointAccess(users: ["bob"], groups: ["staff"]), "access list")
            try await ContractSeed.issue(store, try await ContractSeed.grant(store, "g-alice"))
            try await ContractSeed.grant(store, "g-bob", user: "bob")
            let later = ContractSeed.now.addingTimeInterval(10)
            let (after, revoked) = try await store.deny([.user("bob")], endpoint: "eng", now: later)
            try expectEqual(after, EndpointAccess(users: [], groups: ["staff"]), "access list after deny")
            try expectEqual(revoked.map(\.id), ["g-bob"], "revoked grants")
            try expectEqual(revoked.first?.revokedAt, later, "revocation time")
            let (_, second) = try await store.deny([.group("staff")], endpoint: "eng", now: later)
            try expectEqual(second.map(\.id), ["g-alice"], "revoked when alice's group leaves the list")
            try expect(try await store.accessToken(hash: "access-g-alice", now: later) == nil, "alice's token outlives her grant")
            try await expectError(StoreError.notFound(kind: "endpoint", name: "gone")) { try await store.access(endpoint: "gone") }
        },
    ]
}
