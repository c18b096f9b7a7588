import Foundation
import SentinelCore
import SentinelStoreContract

extension StoreContractSuite {
    static let signIns: [StoreContractCheck] = [
        StoreContractCheck("signInsExpireAndEnd") { make in
            let store = try await ContractSeed.world(make)
            let expiry = ContractSeed.now.addingTimeInterval(60)
            try await store.createSignIn(hash: "cookie", user: "bob", expiresAt: expiry, address: "192.0.2.1", now: ContractSeed.now)
            try expectEqual(try await store.signedInUser(hash: "cookie", now: ContractSeed.now)?.name, "bob", "signed-in user")
            try expect(try await store.signedInUser(hash: "cookie", now: expiry) == nil, "a sign-in works at its expiry")
            try await store.deleteSignIn(hash: "cookie")
            try await store.deleteSignIn(hash: "cookie")
            try expect(try await store.signedInUser(hash: "cookie", now: ContractSeed.now) == nil, "a deleted sign-in works")
            try await expectError(StoreError.notFound(kind: "user", name: "nobody")) {
                try await store.createSignIn(hash: "other", user: "nobody", expiresAt: expiry, address: nil, now: ContractSeed.now)
            }
        },
    ]
}
