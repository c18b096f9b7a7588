import Foundation
import SentinelCore
import SentinelStoreContract

extension StoreContractSuite {
    static let status: [StoreContractCheck] = [
        StoreContractCheck("countsCountActiveGrantsOnly") { make in
            let store = try await ContractSeed.world(make)
            let now = Date()
            try await ContractSeed.grant(store, "active", at: now)
            try await ContractSeed.grant(store, "expired", lasting: 1, at: now.addingTimeInterval(-10))
            try await ContractSeed.grant(store, "revoked", at: now)
            _ = try await store.revokeGrants(matching: GrantFilter(id: "revoked"), now: now)
            try expectEqual(
                try await store.counts(), StoreCounts(servers: 1, endpoints: 1, users: 2, activeGrants: 1), "counts")
        },
    ]
}
