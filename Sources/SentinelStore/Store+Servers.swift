import Foundation
public import SentinelCore
import GRDB
import SentinelCrypto

extension Store {
    /// Adds a server; its name must be new.
    public func addServer(_ server: Server) async throws -> Server {
        if let (field, reason) = server.validationProblem() { throw StoreError.invalid(field: field, reason: reason) }
        return try await pool.write { db in
            if try Int64.fetchOne(db, sql: "SELECT id FROM servers WHERE name = ?", arguments: [server.name]) != nil {
                throw StoreError.alreadyExists(kind: "server", name: server.name)
            }
            try db.execute(
                sql: """
                    INSERT INTO servers (name, transport, description, command, environment, working_directory, url,
                        credential_mode, connect_timeout, call_timeout, created_at, updated_at, refreshed_at, last_error)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    server.name, server.transport.rawValue, server.description, JSONText.encode(server.command),
                    JSONText.encode(server.environment), server.workingDirectory, server.url,
                    server.credentialMode.rawValue, server.connectTimeoutSeconds, server.callTimeoutSeconds,
                    server.createdAt, server.updatedAt, server.refreshedAt, server.lastError,
                ])
            try self.storeHeaders(server, db: db)
            try self.storeCredentialSettings(server, db: db)
            return server
        }
    }

    /// Every server, by name.
    public func servers() async throws -> [Server] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM servers ORDER BY name").map { try self.server(from: $0) }
        }
    }

    /// One server by name.
    public func server(named name: String) async throws -> Server {
        try await pool.read { db in try self.server(named: name, db: db) }
    }

    /// Changes a server in one transaction; `change` sees the current record.
    public func updateServer(named name: String, _ change: @Sendable (inout Server) throws -> Void) async throws -> Server {
        try await pool.write { db in
            var server = try self.server(named: name, db: db)
            try change(&server)
            guard server.name == name else { throw StoreError.invalid(field: "name", reason: "a server cannot be renamed") }
            if let (field, reason) = server.validationProblem() { throw StoreError.invalid(field: field, reason: reason) }
            server.updatedAt = Date()
            try db.execute(
                sql: """
                    UPDATE servers SET transport = ?, description = ?, command = ?, environment = ?, working_directory = ?,
                        url = ?, credential_mode = ?, connect_timeout = ?, call_timeout = ?, updated_at = ?,
                        refreshed_at = ?, last_error = ?
                    WHERE name = ?
                    """,
                arguments: [
                    server.transport.rawValue, server.description, JSONText.encode(server.command),
                    JSONText.encode(server.environment), server.workingDirectory, server.url,
                    server.credentialMode.rawValue, server.connectTimeoutSeconds, server.callTimeoutSeconds,
                    server.updatedAt, server.refreshedAt, server.lastError, name,
                ])
            try self.storeHeaders(server, db: db)
            try self.storeCredentialSettings(server, db: db)
            return server
        }
    }

    /// Removes a server and its catalog. Without `force`, refuses while endpoints use it.
    /// Returns the endpoints it was detached from.
    @discardableResult
    public func removeServer(named name: String, force: Bool) async throws -> [String] {
        try await pool.write { db in
            let id = try db.id(of: "server", table: "servers", name: name)
            let endpoints = try String.fetchAll(
                db,
                sql: """
                    SELECT e.name FROM endpoint_servers es JOIN endpoints e ON e.id = es.endpoint_id
                    WHERE es.server_id = ? ORDER BY e.name
                    """, arguments: [id])
            if !endpoints.isEmpty && !force { throw StoreError.serverInUse(server: name, endpoints: endpoints) }
            try db.execute(sql: "DELETE FROM servers WHERE id = ?", arguments: [id])
            return endpoints
        }
    }

    func server(named name: String, db: Database) throws -> Server {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM servers WHERE name = ?", arguments: [name]) else {
            throw StoreError.notFound(kind: "server", name: name)
        }
        return try server(from: row)
    }

    /// Seals the server's headers (or clears them) in its row.
    func storeHeaders(_ server: Server, db: Database) throws {
        guard !server.headers.isEmpty else {
            // A database held at an older migration (tests of upgrades) has no column to clear.
            guard try db.columns(in: "servers").contains(where: { $0.name == "sealed_headers" }) else { return }
            try db.execute(sql: "UPDATE servers SET sealed_headers = NULL WHERE name = ?", arguments: [server.name])
            return
        }
        guard let secrets else { throw StoreError.invalid(field: "headers", reason: "no secret key is configured") }
        let sealed = try secrets.seal(Array(JSONText.encode(server.headers).utf8), associatedData: Array(server.name.utf8))
        try db.execute(sql: "UPDATE servers SET sealed_headers = ? WHERE name = ?", arguments: [Data(sealed), server.name])
    }

    /// Writes how credentials are obtained, sealing a configured OAuth client secret.
    func storeCredentialSettings(_ server: Server, db: Database) throws {
        guard try db.columns(in: "servers").contains(where: { $0.name == "credential_kind" }) else { return }
        var sealedSecret: Data?
        if let secret = server.oauthClientSecret {
            guard let secrets else { throw StoreError.invalid(field: "oauth_client_secret", reason: "no secret key is configured") }
            sealedSecret = Data(try secrets.seal(Array(secret.utf8), associatedData: Array("oauth-client:\(server.name)".utf8)))
        }
        try db.execute(
            sql: """
                UPDATE servers SET credential_kind = ?, credential_env = ?, oauth_client_id = ?, sealed_oauth_client_secret = ?
                WHERE name = ?
                """,
            arguments: [server.credentialKind.rawValue, server.credentialEnv, server.oauthClientID, sealedSecret, server.name])
        if try db.columns(in: "servers").contains(where: { $0.name == "credential_hint" }) {
            try db.execute(
                sql: "UPDATE servers SET credential_hint = ? WHERE name = ?", arguments: [server.credentialHint, server.name])
        }
    }

    func server(from row: Row) throws -> Server {
        var server = try Self.plainServer(from: row)
        if row.hasColumn("credential_kind") {
            server.credentialKind = CredentialKind(rawValue: row["credential_kind"]) ?? .bearer
            server.credentialEnv = row["credential_env"]
            server.oauthClientID = row["oauth_client_id"]
            if row.hasColumn("credential_hint") { server.credentialHint = row["credential_hint"] }
            if let sealed: Data = row["sealed_oauth_client_secret"] {
                guard let secrets else { throw StoreError.invalid(field: "oauth_client_secret", reason: "no secret key to open it") }
                let opened = try secrets.open(Array(sealed), associatedData: Array("oauth-client:\(server.name)".utf8))
                server.oauthClientSecret = String(decoding: opened, as: UTF8.self)
            }
        }
        if let sealed: Data = row["sealed_headers"] {
            guard let secrets else { throw StoreError.invalid(field: "headers", reason: "no secret key to open stored headers") }
            do {
                let opened = try secrets.open(Array(sealed), associatedData: Array(server.name.utf8))
                server.headers = JSONText.decodeObject(String(decoding: opened, as: UTF8.self))
            } catch {
                throw StoreError.invalid(field: "headers", reason: "stored headers of \(server.name) cannot be decrypted with this key")
            }
        }
        return server
    }

    static func plainServer(from row: Row) throws -> Server {
        Server(
            name: row["name"],
            transport: ServerTransport(rawValue: row["transport"]) ?? .stdio,
            description: row["description"],
            command: JSONText.decodeArray(row["command"]),
            environment: JSONText.decodeObject(row["environment"]),
            workingDirectory: row["working_directory"],
            url: row["url"],
            credentialMode: CredentialMode(rawValue: row["credential_mode"]) ?? .none,
            connectTimeoutSeconds: row["connect_timeout"],
            callTimeoutSeconds: row["call_timeout"],
            createdAt: row["created_at"],
            updatedAt: row["updated_at"],
            refreshedAt: row["refreshed_at"],
            lastError: row["last_error"]
        )
    }
}
