import Foundation
import SentinelCore
import SentinelStore
import SentinelVarlink

extension ManagerInterface {
    func listSessions(_ request: ManagerRequest) async throws -> [String: JSONValue] {
        let filter = GrantFilter(
            user: request.optionalString("user"), endpoint: request.optionalString("endpoint"),
            includeInactive: request.optionalBool("include_inactive") ?? false)
        if let user = filter.user { _ = try await store.user(named: user) }
        if let endpoint = filter.endpoint { _ = try await store.endpoint(named: endpoint) }
        return ["sessions": .array(try await store.grants(matching: filter).map(Self.encode))]
    }

    func revokeSession(_ request: ManagerRequest) async throws -> [String: JSONValue] {
        let filter = GrantFilter(
            id: request.optionalString("id"), user: request.optionalString("user"), endpoint: request.optionalString("endpoint"))
        guard filter.id != nil || filter.user != nil || filter.endpoint != nil else {
            throw InvalidValue(field: "id", reason: "name a session id, a user or an endpoint")
        }
        let revoked = try await store.revokeGrants(matching: filter)
        recordRevocations(revoked, request: request)
        return ["revoked": .array(revoked.map(Self.encode))]
    }

    /// Audits each revoked grant and tells the data plane, which closes their streams.
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
            changes.publish(
                ControlChange(
                    time: Date(), action: "session-revoke", object: "session", name: grant.id, uid: request.peer.uid,
                    pid: request.peer.pid))
        }
    }

    static func encode(_ grant: Grant) -> JSONValue {
        [
            "id": .string(grant.id),
            "user": .string(grant.user),
            "client_id": .string(grant.clientID),
            "client_name": .string(grant.clientName),
            "endpoint": .string(grant.endpoint),
            "created": .string(Timestamp.format(grant.createdAt)),
            "expires": .string(Timestamp.format(grant.expiresAt)),
            "last_used": Timestamp.format(grant.lastUsedAt),
            "last_address": JSONValue(grant.lastAddress),
            "revoked": Timestamp.format(grant.revokedAt),
            "scope": .string(grant.scope),
        ]
    }
}
