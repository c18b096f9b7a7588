import Foundation
import SentinelCore
import SentinelStoreContract

extension StoreContractSuite {
    static let oauthClients: [StoreContractCheck] = [
        StoreContractCheck("savingAKnownClientReplacesOnlyItsCachedFields") { make in
            let store = try await make(nil)
            var client = ContractSeed.client("https://app.example/client.json", kind: .metadataDocument)
            client.secretHash = "secret-hash"
            try await store.saveClient(client)
            var refreshed = client
            refreshed.name = "renamed"
            refreshed.redirectURIs = ["http://127.0.0.1/new"]
            refreshed.secretHash = "other"
            refreshed.createdAt = ContractSeed.now.addingTimeInterval(100)
            refreshed.updatedAt = ContractSeed.now.addingTimeInterval(100)
            try await store.saveClient(refreshed)
            var expected = refreshed
            expected.secretHash = "secret-hash"
            expected.createdAt = client.createdAt
            try expectEqual(try await store.client(id: client.id), expected, "stored client")
            try expect(try await store.client(id: "unknown") == nil, "an unknown client was found")
        },
        StoreContractCheck("deletingAClientTakesItsGrants") { make in
            let store = try await ContractSeed.world(make)
            try await ContractSeed.issue(store, try await ContractSeed.grant(store, "g1"))
            try await ContractSeed.grant(store, "g2", client: "c2")
            try await store.deleteClient(id: "c1")
            try await store.deleteClient(id: "c1")
            try expectEqual(
                try await store.grants(matching: GrantFilter(includeInactive: true), now: ContractSeed.now).map(\.id), ["g2"], "grants")
            try expect(try await store.accessToken(hash: "access-g1", now: ContractSeed.now) == nil, "the deleted client's token works")
        },
    ]
}
