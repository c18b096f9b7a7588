public import Foundation
public import SentinelCore
import GRDB

extension Store {
    /// Grants matching `filter`, newest first.
    public func grants(matching filter: GrantFilter, now: Date = Date()) async throws -> [Grant] {
        try await pool.read { db in try Self.grants(matching: filter, now: now, db: db) }
    }

    /// Revokes the active grants matching `filter` and deletes their tokens; returns what was revoked.
    /// A filter naming an unknown user, endpoint or grant id is an error rather than a silent no-op.
    public func revokeGrants(matching filter: GrantFilter, now: Date = Date()) async throws -> [Grant] {
        try await pool.write { db in
            if let user = filter.user { _ = try db.id(of: "user", table: "users", name: user) }
            if let endpoint = filter.endpoint { _ = try db.id(of: "endpoint", table: "endpoints", name: endpoint) }
            if let id = filter.id, try String.fetchOne(db, sql: "SELECT id FROM grants WHERE id = ?", arguments: [id]) == nil {
                throw StoreError.notFound(kind: "session", name: id)
            }
            var active = filter
            active.includeInactive = false
            let revoked = try Self.grants(matching: active, now: now, db: db)
            for grant in revoked {
                try Self.revoke(grant, now: now, db: db)
            }
            return revoked.map { grant in
                var copy = grant
                copy.revokedAt = now
                return copy
            }
        }
    }

    /// Marks a grant revoked and deletes its tokens (refresh, access and unused codes).
    static func revoke(_ grant: Grant, now: Date, db: Database) throws {
        try db.execute(sql: "UPDATE grants SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [now, grant.id])
        try db.execute(sql: "DELETE FROM tokens WHERE grant_id = ?", arguments: [grant.id])
    }

    static func grants(matching filter: GrantFilter, now: Date, db: Database) throws -> [Grant] {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        if let id = filter.id {
            clauses.append("g.id = ?")
            arguments += [id]
        }
        if let user = filter.user {
            clauses.append("u.name = ?")
            arguments += [user]
        }
        if let endpoint = filter.endpoint {
            clauses.append("e.name = ?")
            arguments += [endpoint]
        }
        if !filter.includeInactive {
            clauses.append("g.revoked_at IS NULL AND g.expires_at > ?")
            arguments += [now]
        }
        let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT g.*, u.name AS user_name, e.name AS endpoint_name, c.name AS client_name
                FROM grants g
                JOIN users u ON u.id = g.user_id
                JOIN endpoints e ON e.id = g.endpoint_id
                JOIN oauth_clients c ON c.id = g.client_id
                \(whereClause)
                ORDER BY g.created_at DESC, g.id
                """, arguments: arguments)
        return rows.map { row in
            Grant(
                id: row["id"], user: row["user_name"], clientID: row["client_id"], clientName: row["client_name"],
                endpoint: row["endpoint_name"], createdAt: row["created_at"], expiresAt: row["expires_at"],
                lastUsedAt: row["last_used_at"], lastAddress: row["last_address"], revokedAt: row["revoked_at"],
                scope: row["scope"])
        }
    }
}
