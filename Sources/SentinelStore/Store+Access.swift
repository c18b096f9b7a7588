public import Foundation
public import SentinelCore
import GRDB

extension AccessPrincipal {
    /// The `kind` column of `endpoint_access`.
    var kind: String {
        switch self {
        case .user: "user"
        case .group: "group"
        }
    }

    var name: String {
        switch self {
        case .user(let name), .group(let name): name
        }
    }
}

extension Store {
    /// Who may authorize clients on `endpoint`.
    public func access(endpoint: String) async throws -> EndpointAccess {
        try await pool.read { db in
            let id = try db.id(of: "endpoint", table: "endpoints", name: endpoint)
            return try Self.access(endpointID: id, db: db)
        }
    }

    /// Puts `principals` on the endpoint's access list; a named user must exist, a group need not yet.
    public func allow(_ principals: [AccessPrincipal], endpoint: String) async throws -> EndpointAccess {
        try await pool.write { db in
            let id = try db.id(of: "endpoint", table: "endpoints", name: endpoint)
            for principal in principals {
                switch principal {
                case .user(let name): _ = try db.id(of: "user", table: "users", name: name)
                case .group(let name): try Self.checkGroupName(name)
                }
                try db.execute(
                    sql: "INSERT OR IGNORE INTO endpoint_access (endpoint_id, kind, name) VALUES (?, ?, ?)",
                    arguments: [id, principal.kind, principal.name])
            }
            return try Self.access(endpointID: id, db: db)
        }
    }

    /// Takes `principals` off the endpoint's access list and revokes the active grants of users it no longer
    /// admits, in one transaction; returns the list after and the revoked grants.
    public func deny(
        _ principals: [AccessPrincipal], endpoint: String, now: Date = Date()
    ) async throws -> (access: EndpointAccess, revoked: [Grant]) {
        try await pool.write { db in
            let id = try db.id(of: "endpoint", table: "endpoints", name: endpoint)
            for principal in principals {
                try db.execute(
                    sql: "DELETE FROM endpoint_access WHERE endpoint_id = ? AND kind = ? AND name = ?",
                    arguments: [id, principal.kind, principal.name])
            }
            let access = try Self.access(endpointID: id, db: db)
            let active = try Self.grants(matching: GrantFilter(endpoint: endpoint), now: now, db: db)
            var revoked: [Grant] = []
            for grant in active {
                let groups = try String.fetchAll(
                    db, sql: "SELECT g.name FROM user_groups g JOIN users u ON u.id = g.user_id WHERE u.name = ?",
                    arguments: [grant.user])
                guard !access.admits(user: grant.user, memberOf: groups) else { continue }
                try Self.revoke(grant, now: now, db: db)
                var copy = grant
                copy.revokedAt = now
                revoked.append(copy)
            }
            return (access, revoked)
        }
    }

    static func access(endpointID: Int64, db: Database) throws -> EndpointAccess {
        let rows = try Row.fetchAll(
            db, sql: "SELECT kind, name FROM endpoint_access WHERE endpoint_id = ?", arguments: [endpointID])
        return EndpointAccess(
            users: rows.filter { $0["kind"] == "user" }.map { $0["name"] },
            groups: rows.filter { $0["kind"] == "group" }.map { $0["name"] })
    }
}
