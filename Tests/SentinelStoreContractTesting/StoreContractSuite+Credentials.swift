import Foundation
import SentinelCore
import SentinelStoreContract

extension StoreContractSuite {
    static let credentials: [StoreContractCheck] = [
        StoreContractCheck("sharedAndPersonalCredentialsNeverStandInForEachOther") { make in
            let store = try await ContractSeed.world(make)
            _ = try await store.addServer(ContractSeed.http("web", credentialMode: .personal))
            let now = ContractSeed.now
            let shared = UpstreamCredential(server: "web", owner: nil, kind: .bearer, accessToken: "shared", updatedAt: now)
            let alices = UpstreamCredential(
                server: "web", owner: "alice", kind: .oauth, accessToken: "alice-token", refreshToken: "alice-refresh",
                expiresAt: now.addingTimeInterval(3600), tokenEndpoint: "https://web.example.org/token", updatedAt: now)
            try await store.saveCredential(shared)
            try await store.saveCredential(alices)
            try expectEqual(try await store.credential(server: "web", owner: nil), shared, "shared credential")
            try expectEqual(try await store.credential(server: "web", owner: "alice"), alices, "alice's credential")
            try expect(try await store.credential(server: "web", owner: "bob") == nil, "bob was given someone else's credential")
            try expectEqual(try await store.credentialStates(server: "web"), ["alice": .connected], "states by user")
            try await store.markCredentialExpired(server: "web", owner: "alice")
            try expectEqual(try await store.credentialStates(user: "alice"), ["web": .expired], "states by server")
            try expectEqual(try await store.credential(server: "web", owner: nil)?.state, .connected, "shared state")
            try await store.deleteCredentials(server: "web", shared: false)
            try expect(try await store.credential(server: "web", owner: "alice") == nil, "personal credential after deleting them")
            try expectEqual(try await store.deleteCredential(server: "web", owner: nil), true, "deleting the shared one")
            try expectEqual(try await store.deleteCredential(server: "web", owner: nil), false, "deleting it again")
        },
        StoreContractCheck("savingACredentialReplacesTheOwnersOne") { make in
            let store = try await ContractSeed.world(make)
            _ = try await store.addServer(ContractSeed.http("web"))
            let first = UpstreamCredential(server: "web", owner: nil, kind: .bearer, accessToken: "one", updatedAt: ContractSeed.now)
            var second = first
            second.accessToken = "two"
            try await store.saveCredential(first)
            try await store.saveCredential(second)
            try expectEqual(try await store.credential(server: "web", owner: nil), second, "credential")
            try await expectError(StoreError.notFound(kind: "user", name: "nobody")) {
                var stray = first
                stray.owner = "nobody"
                try await store.saveCredential(stray)
            }
        },
        StoreContractCheck("aRefreshKeepsWhenTheOwnerConnected") { make in
            let store = try await ContractSeed.world(make)
            _ = try await store.addServer(ContractSeed.http("web", credentialMode: .personal))
            let connected = ContractSeed.now
            let first = UpstreamCredential(
                server: "web", owner: "alice", kind: .oauth, accessToken: "one", refreshToken: "r1", updatedAt: connected)
            try await store.saveCredential(first)
            try expectEqual(try await store.credential(server: "web", owner: "alice")?.connectedAt, connected, "connected at")
            let later = connected.addingTimeInterval(3600)
            let refreshed = UpstreamCredential(
                server: "web", owner: "alice", kind: .oauth, accessToken: "two", refreshToken: "r2", updatedAt: later,
                connectedAt: first.connectedAt)
            try await store.saveCredential(refreshed)
            let read = try await store.credential(server: "web", owner: "alice")
            try expectEqual(read?.connectedAt, connected, "connected at after a refresh")
            try expectEqual(read?.updatedAt, later, "updated at after a refresh")
            try await store.saveCredential(
                UpstreamCredential(server: "web", owner: "alice", kind: .bearer, accessToken: "three", updatedAt: later))
            try expectEqual(try await store.credential(server: "web", owner: "alice")?.connectedAt, later, "connected at after reconnecting")
        },
        StoreContractCheck("credentialsNeedASecretKey") { make in
            let store = try await make(nil)
            _ = try await store.addServer(ContractSeed.http("web"))
            do {
                try await store.saveCredential(
                    UpstreamCredential(server: "web", owner: nil, kind: .bearer, accessToken: "x", updatedAt: ContractSeed.now))
                throw ContractViolation(message: "a credential was stored without a secret key", file: #fileID, line: #line)
            } catch StoreError.invalid {}
        },
        StoreContractCheck("upstreamAuthorizationIsTakenOnceAndNotAfterItExpires") { make in
            let store = try await ContractSeed.world(make)
            _ = try await store.addServer(ContractSeed.http("web", credentialMode: .personal))
            let now = ContractSeed.now
            let pending = PendingUpstreamAuthorization(server: "web", user: "alice", codeVerifier: "verifier", returnTo: "/connect")
            try await store.createUpstreamAuthorization(stateHash: "s1", pending, expiresAt: now.addingTimeInterval(60), now: now)
            try await store.createUpstreamAuthorization(stateHash: "s2", pending, expiresAt: now.addingTimeInterval(60), now: now)
            try expectEqual(try await store.takeUpstreamAuthorization(stateHash: "s1", now: now), pending, "taken flow")
            try expect(try await store.takeUpstreamAuthorization(stateHash: "s1", now: now) == nil, "a flow was taken twice")
            try expect(
                try await store.takeUpstreamAuthorization(stateHash: "s2", now: now.addingTimeInterval(60)) == nil,
                "an expired flow was taken")
            try expect(try await store.takeUpstreamAuthorization(stateHash: "s2", now: now) == nil, "an expired flow was kept")
        },
        StoreContractCheck("oauthRegistrationRoundTripsAndIsForgotten") { make in
            let store = try await ContractSeed.world(make)
            _ = try await store.addServer(ContractSeed.http("web"))
            try expect(try await store.oauthRegistration(server: "web") == nil, "a registration before any was saved")
            try await store.saveOAuthRegistration(server: "web", #"{"client_id":"x"}"#)
            try expectEqual(try await store.oauthRegistration(server: "web"), #"{"client_id":"x"}"#, "registration")
            try await store.saveOAuthRegistration(server: "web", nil)
            try expect(try await store.oauthRegistration(server: "web") == nil, "a forgotten registration")
        },
    ]
}
