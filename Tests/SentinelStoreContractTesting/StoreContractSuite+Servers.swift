import Foundation
import SentinelCore
import SentinelStoreContract

extension StoreContractSuite {
    static let servers: [StoreContractCheck] = [
        StoreContractCheck("serverRoundTripsWithSealedFieldsAndListsByName") { make in
            let store = try await make(try ContractSeed.key())
            var web = ContractSeed.http("web")
            web.headers = ["Authorization": "Bearer upstream-secret"]
            web.credentialKind = .oauth
            web.oauthClientID = "sentinel"
            web.oauthClientSecret = "client-secret"
            _ = try await store.addServer(web)
            _ = try await store.addServer(ContractSeed.stdio("alpha"))
            try expectEqual(try await store.server(named: "web"), web, "stored server")
            try expectEqual(try await store.servers().map(\.name), ["alpha", "web"], "servers by name")
        },
        StoreContractCheck("serverNamesAreUniqueAndUnknownOnesNotFound") { make in
            let store = try await make(nil)
            _ = try await store.addServer(ContractSeed.stdio("files"))
            try await expectError(StoreError.alreadyExists(kind: "server", name: "files")) {
                try await store.addServer(ContractSeed.stdio("files"))
            }
            try await expectError(StoreError.notFound(kind: "server", name: "nope")) { try await store.server(named: "nope") }
            try await expectError(StoreError.notFound(kind: "server", name: "nope")) { try await store.tools(server: "nope") }
        },
        StoreContractCheck("sealedHeadersNeedASecretKey") { make in
            let store = try await make(nil)
            var web = ContractSeed.http("web")
            web.headers = ["Authorization": "Bearer x"]
            do {
                _ = try await store.addServer(web)
                throw ContractViolation(message: "a server with headers was stored without a secret key", file: #fileID, line: #line)
            } catch StoreError.invalid {}
            try expectEqual(try await store.servers(), [], "servers after the refusal")
        },
        StoreContractCheck("updateServerRefusesRenameAndKeepsTheRecord") { make in
            let store = try await make(nil)
            let files = try await store.addServer(ContractSeed.stdio("files"))
            try await expectError(StoreError.invalid(field: "name", reason: "a server cannot be renamed")) {
                try await store.updateServer(named: "files") {
                    $0.name = "renamed"
                    $0.description = "changed"
                }
            }
            try expectEqual(try await store.server(named: "files").description, files.description, "description after refusal")
            let updated = try await store.updateServer(named: "files") { $0.description = "changed" }
            try expectEqual(updated.description, "changed", "returned server")
            try expectEqual(try await store.server(named: "files").description, "changed", "stored server")
        },
        StoreContractCheck("serverInUseIsRemovedOnlyWithForceAndTakesItsCatalog") { make in
            let store = try await ContractSeed.world(make)
            _ = try await store.createEndpoint(Endpoint(name: "ops", servers: ["files"], createdAt: ContractSeed.now, updatedAt: ContractSeed.now))
            try await expectError(StoreError.serverInUse(server: "files", endpoints: ["eng", "ops"])) {
                try await store.removeServer(named: "files", force: false)
            }
            try expectEqual(try await store.tools(server: "files").count, 2, "catalog after refusal")
            try expectEqual(try await store.removeServer(named: "files", force: true), ["eng", "ops"], "detached endpoints")
            try expectEqual(try await store.endpoint(named: "eng").servers, [], "eng's servers")
            try expectEqual(try await store.toolSelections(endpoint: "eng"), [], "eng's tools")
            try await expectError(StoreError.notFound(kind: "server", name: "files")) { try await store.tools(server: "files") }
        },
        StoreContractCheck("catalogKeepsUpstreamOrderAndRefreshOutcome") { make in
            let store = try await make(nil)
            _ = try await store.addServer(ContractSeed.stdio("files"))
            let later = ContractSeed.now.addingTimeInterval(60)
            try await store.replaceCatalog(server: "files", tools: ContractSeed.tools("files", ["zeta", "alpha", "mid"]), at: ContractSeed.now)
            try expectEqual(try await store.tools(server: "files").map(\.name), ["zeta", "alpha", "mid"], "catalog order")
            try await store.recordRefreshFailure(server: "files", error: "connection refused", at: later)
            let failed = try await store.server(named: "files")
            try expectEqual(failed.lastError, "connection refused", "last error")
            try expectEqual(failed.refreshedAt, later, "refreshed at")
            try expectEqual(try await store.tools(server: "files").count, 3, "catalog kept after a failure")
            try await store.replaceCatalog(server: "files", tools: ContractSeed.tools("files", ["one"]), at: later)
            try expectEqual(try await store.server(named: "files").lastError, nil, "last error after success")
            try expectEqual(try await store.tools(server: "files"), ContractSeed.tools("files", ["one"]), "replaced catalog")
        },
    ]
}
