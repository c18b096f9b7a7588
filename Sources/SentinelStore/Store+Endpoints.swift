import Foundation
public import SentinelCore
import GRDB

extension Store {
    /// Creates an endpoint, attaching `endpoint.servers` (which must exist).
    public func createEndpoint(_ endpoint: Endpoint) async throws -> Endpoint {
        if let problem = EntityName.problem(with: endpoint.name, kind: .endpoint) {
            throw StoreError.invalid(field: "name", reason: problem)
        }
        return try await pool.write { db in
            if try Int64.fetchOne(db, sql: "SELECT id FROM endpoints WHERE name = ?", arguments: [endpoint.name]) != nil {
                throw StoreError.alreadyExists(kind: "endpoint", name: endpoint.name)
            }
            try db.execute(
                sql: """
                    INSERT INTO endpoints (name, description, auth, capture_payloads, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    endpoint.name, endpoint.description, endpoint.auth.rawValue, endpoint.capturePayloads,
                    endpoint.createdAt, endpoint.updatedAt,
                ])
            let endpointID = db.lastInsertedRowID
            for server in Set(endpoint.servers) {
                let serverID = try db.id(of: "server", table: "servers", name: server)
                try db.execute(
                    sql: "INSERT INTO endpoint_servers (endpoint_id, server_id) VALUES (?, ?)",
                    arguments: [endpointID, serverID])
            }
            return try Self.endpoint(named: endpoint.name, db: db)
        }
    }

    /// Every endpoint, by name.
    public func endpoints() async throws -> [Endpoint] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM endpoints ORDER BY name").map {
                try Self.endpoint(named: $0, db: db)
            }
        }
    }

    /// One endpoint by name.
    public func endpoint(named name: String) async throws -> Endpoint {
        try await pool.read { db in try Self.endpoint(named: name, db: db) }
    }

    /// Changes an endpoint's own fields (not its servers) in one transaction.
    public func updateEndpoint(named name: String, _ change: @Sendable (inout Endpoint) throws -> Void) async throws -> Endpoint {
        try await pool.write { db in
            let current = try Self.endpoint(named: name, db: db)
            var endpoint = current
            try change(&endpoint)
            // Servers change only by attach and detach; the record returned is the one stored.
            endpoint.servers = current.servers
            endpoint.updatedAt = Date()
            try db.execute(
                sql: "UPDATE endpoints SET description = ?, auth = ?, capture_payloads = ?, updated_at = ? WHERE name = ?",
                arguments: [endpoint.description, endpoint.auth.rawValue, endpoint.capturePayloads, endpoint.updatedAt, name])
            return endpoint
        }
    }

    /// Deletes an endpoint with its tool selections and grants.
    public func deleteEndpoint(named name: String) async throws {
        try await pool.write { db in
            let id = try db.id(of: "endpoint", table: "endpoints", name: name)
            try db.execute(sql: "DELETE FROM endpoints WHERE id = ?", arguments: [id])
        }
    }

    /// Attaches a server to an endpoint. Returns false when it was already attached.
    @discardableResult
    public func attach(server: String, to endpoint: String) async throws -> Bool {
        try await pool.write { db in
            let endpointID = try db.id(of: "endpoint", table: "endpoints", name: endpoint)
            let serverID = try db.id(of: "server", table: "servers", name: server)
            try db.execute(
                sql: "INSERT OR IGNORE INTO endpoint_servers (endpoint_id, server_id) VALUES (?, ?)",
                arguments: [endpointID, serverID])
            guard db.changesCount > 0 else { return false }
            try db.execute(sql: "UPDATE endpoints SET updated_at = ? WHERE id = ?", arguments: [Date(), endpointID])
            return true
        }
    }

    /// Detaches a server from an endpoint, dropping that server's tool selections there.
    public func detach(server: String, from endpoint: String) async throws {
        try await pool.write { db in
            let endpointID = try db.id(of: "endpoint", table: "endpoints", name: endpoint)
            let serverID = try db.id(of: "server", table: "servers", name: server)
            try db.execute(
                sql: "DELETE FROM endpoint_servers WHERE endpoint_id = ? AND server_id = ?",
                arguments: [endpointID, serverID])
            guard db.changesCount > 0 else { throw StoreError.notAttached(endpoint: endpoint, server: server) }
            try db.execute(sql: "UPDATE endpoints SET updated_at = ? WHERE id = ?", arguments: [Date(), endpointID])
        }
    }

    static func endpoint(named name: String, db: Database) throws -> Endpoint {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM endpoints WHERE name = ?", arguments: [name]) else {
            throw StoreError.notFound(kind: "endpoint", name: name)
        }
        let servers = try String.fetchAll(
            db,
            sql: """
                SELECT s.name FROM endpoint_servers es JOIN servers s ON s.id = es.server_id
                WHERE es.endpoint_id = ? ORDER BY s.name
                """, arguments: [row["id"] as Int64])
        return Endpoint(
            name: row["name"],
            description: row["description"],
            auth: EndpointAuth(rawValue: row["auth"]) ?? .oauth,
            capturePayloads: row["capture_payloads"],
            servers: servers,
            createdAt: row["created_at"],
            updatedAt: row["updated_at"]
        )
    }
}
