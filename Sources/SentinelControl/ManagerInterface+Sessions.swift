import Foundation
import SentinelControlAPI
import SentinelCore
import SentinelStore
import SentinelVarlink

extension ManagerInterface {
    func listSessions(_ parameters: ManagerAPI.ListSessions.Parameters) async throws -> ManagerAPI.ListSessions.Reply {
        let filter = GrantFilter(
            user: parameters.user, endpoint: parameters.endpoint, includeInactive: parameters.includeInactive ?? false)
        if let user = filter.user { _ = try await store.user(named: user) }
        if let endpoint = filter.endpoint { _ = try await store.endpoint(named: endpoint) }
        return ManagerAPI.ListSessions.Reply(sessions: try await store.grants(matching: filter).map(Self.session))
    }

    func revokeSession(
        _ parameters: ManagerAPI.RevokeSession.Parameters, _ request: ManagerRequest
    ) async throws -> ManagerAPI.RevokeSession.Reply {
        let filter = GrantFilter(id: parameters.id, user: parameters.user, endpoint: parameters.endpoint)
        guard filter.id != nil || filter.user != nil || filter.endpoint != nil else {
            throw ManagerError.invalidValue(field: "id", reason: "name a session id, a user or an endpoint")
        }
        let revoked = try await store.revokeGrants(matching: filter)
        recordRevocations(revoked, request: request)
        return ManagerAPI.RevokeSession.Reply(revoked: revoked.map(Self.session))
    }

    /// Audits each revoked grant and makes the revocation take effect (tokens refused, streams closed).
    func recordRevocations(_ revoked: [Grant], request: ManagerRequest) {
        for grant in revoked {
            audit.record(
                AuditEvent(
                    kind: .grantRevoked,
                    message: "session \(grant.id) of user \(grant.user) on endpoint \(grant.endpoint) revoked by uid \(request.peer.uid)",
                    fields: [
                        .grant: grant.id, .user: grant.user, .endpoint: grant.endpoint, .client: grant.clientName,
                        .clientID: grant.clientID, .peerUID: String(request.peer.uid), .peerPID: String(request.peer.pid),
                    ]))
        }
        revocations.revoke(grantIDs: revoked.map(\.id), by: request.origin)
    }

    static func session(_ grant: Grant) -> ManagerAPI.Session {
        ManagerAPI.Session(
            id: grant.id, user: grant.user, clientID: grant.clientID, clientName: grant.clientName, endpoint: grant.endpoint,
            created: Timestamp.format(grant.createdAt), expires: Timestamp.format(grant.expiresAt),
            lastUsed: Timestamp.format(grant.lastUsedAt), lastAddress: grant.lastAddress,
            revoked: Timestamp.format(grant.revokedAt), scope: grant.scope)
    }
}
