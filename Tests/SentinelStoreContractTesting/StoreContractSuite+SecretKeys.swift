import Foundation
import SentinelCore
import SentinelStoreContract

extension StoreContractSuite {
    static let secretKeys: [StoreContractCheck] = [
        StoreContractCheck("rotatedKeyOpensEverySecretAndAFailedRotationChangesNothing") { make in
            let store = try await ContractSeed.world(make)
            var web = ContractSeed.http("web")
            web.headers = ["Authorization": "Bearer h"]
            _ = try await store.addServer(web)
            let credential = UpstreamCredential(server: "web", owner: nil, kind: .bearer, accessToken: "t", updatedAt: ContractSeed.now)
            try await store.saveCredential(credential)
            try expect(try await store.secretKeyMatches(), "the configured key does not match")
            let sessionKey = try await store.mcpSessionKey()
            try await expectError(RefusedCheck()) {
                try await store.rotateSecretKey(to: try ContractSeed.key()) { throw RefusedCheck() }
            }
            try expectEqual(try await store.credential(server: "web", owner: nil), credential, "credential after a failed rotation")
            let resealed = try await store.rotateSecretKey(to: try ContractSeed.key()) {}
            try expect(resealed >= 3, "only \(resealed) secrets were re-sealed")
            try expect(try await store.secretKeyMatches(), "the new key does not match")
            try expectEqual(try await store.credential(server: "web", owner: nil), credential, "credential after rotation")
            try expectEqual(try await store.server(named: "web").headers, web.headers, "headers after rotation")
            try expectEqual(try await store.mcpSessionKey(), sessionKey, "session key after rotation")
        },
        StoreContractCheck("rotationNeedsAConfiguredKey") { make in
            let store = try await make(nil)
            try expect(try await store.secretKeyMatches(), "a store without a key reports a mismatch")
            do {
                _ = try await store.rotateSecretKey(to: try ContractSeed.key()) {}
                throw ContractViolation(message: "a key was rotated without one configured", file: #fileID, line: #line)
            } catch StoreError.invalid {}
        },
    ]
}
