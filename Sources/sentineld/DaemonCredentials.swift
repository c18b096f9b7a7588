import Foundation
import SentinelAuth
import SentinelControl
import SentinelCore
import SentinelStore

/// The control plane's handle on credentials: shared tokens, shared OAuth sign-ins, discarding, key rotation.
struct DaemonCredentials: CredentialAdministering {
    let credentials: UpstreamCredentials
    let store: Store
    let stateDirectory: String
    let environment: [String: String]

    func setSharedToken(server: Server, token: String) async throws {
        try await credentials.connectBearer(server: server, owner: nil, token: token)
    }

    func beginSharedLogin(server: Server) async throws -> String {
        try await credentials.beginOAuth(server: server, owner: nil, returnTo: "/oauth/upstream/done")
    }

    func discard(server: String, shared: Bool) async throws {
        try await credentials.discardAll(server: server, shared: shared)
    }

    func summary(server: String) async throws -> (connectedUsers: Int, expiredUsers: Int, shared: String?) {
        let states = try await store.credentialStates(server: server)
        let shared = try await store.credential(server: server, owner: nil)
        return (
            states.values.filter { $0 == .connected }.count, states.values.filter { $0 == .expired }.count,
            shared.map(\.state.rawValue)
        )
    }

    func rotateSecretKey() async throws -> Int {
        guard !SecretKey.fromCredential(environment) else {
            throw SecretKeyNotRotatable(
                reason: "the key comes from the systemd credential sentinel.key; replace that file and restart instead")
        }
        let next = try SecretKey.next(stateDirectory: stateDirectory)
        return try await store.rotateSecretKey(to: next.box, persist: next.persist)
    }
}
