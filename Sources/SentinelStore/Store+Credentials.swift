public import Foundation
public import SentinelCore
import GRDB
import SentinelCrypto

extension Store {
    static func credentialData(server: String, owner: String?) -> [UInt8] {
        Array("credential:\(server):\(owner ?? "")".utf8)
    }

    func sealer() throws -> SecretBox {
        guard let secrets else { throw StoreError.invalid(field: "credential", reason: "no secret key is configured") }
        return secrets
    }

    /// Stores (or replaces) a credential, sealed. Its `created_at` is `connectedAt`, so a refresh that passes the old
    /// `connectedAt` keeps the time the owner connected.
    public func saveCredential(_ credential: UpstreamCredential) async throws {
        let secrets = try sealer()
        var payload: [String: String] = ["access_token": credential.accessToken]
        payload["refresh_token"] = credential.refreshToken
        payload["token_endpoint"] = credential.tokenEndpoint
        let sealed = try secrets.seal(
            Array(JSONText.encode(payload).utf8), associatedData: Self.credentialData(server: credential.server, owner: credential.owner))
        try await pool.write { db in
            let serverID = try db.id(of: "server", table: "servers", name: credential.server)
            let userID = try credential.owner.map { try db.id(of: "user", table: "users", name: $0) }
            try db.execute(
                sql: "DELETE FROM credentials WHERE server_id = ? AND IFNULL(user_id, 0) = IFNULL(?, 0)", arguments: [serverID, userID])
            try db.execute(
                sql: """
                    INSERT INTO credentials (server_id, user_id, kind, state, sealed, expires_at, created_at, updated_at, verified)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    serverID, userID, credential.kind.rawValue, credential.state.rawValue, Data(sealed), credential.expiresAt,
                    credential.connectedAt, credential.updatedAt, credential.verified,
                ])
        }
    }

    /// The credential of `owner` (nil: the shared one) for `server`, opened; nil when none is stored.
    public func credential(server: String, owner: String?) async throws -> UpstreamCredential? {
        let secrets = try sealer()
        return try await pool.read { db in
            let sql = owner == nil
                ? "SELECT c.* FROM credentials c JOIN servers s ON s.id = c.server_id WHERE s.name = ? AND c.user_id IS NULL"
                : """
                    SELECT c.* FROM credentials c JOIN servers s ON s.id = c.server_id JOIN users u ON u.id = c.user_id
                    WHERE s.name = ? AND u.name = ?
                    """
            let arguments: StatementArguments = owner.map { [server, $0] } ?? [server]
            guard let row = try Row.fetchOne(db, sql: sql, arguments: arguments) else { return nil }
            let opened = try secrets.open(Array(row["sealed"] as Data), associatedData: Self.credentialData(server: server, owner: owner))
            let payload = JSONText.decodeObject(String(decoding: opened, as: UTF8.self))
            return UpstreamCredential(
                server: server, owner: owner, kind: CredentialKind(rawValue: row["kind"]) ?? .bearer,
                state: UpstreamCredential.State(rawValue: row["state"]) ?? .expired, accessToken: payload["access_token"] ?? "",
                refreshToken: payload["refresh_token"], expiresAt: row["expires_at"], tokenEndpoint: payload["token_endpoint"],
                updatedAt: row["updated_at"], connectedAt: row["created_at"], verified: row["verified"] ?? true)
        }
    }

    /// Marks a credential expired (its owner must connect again).
    public func markCredentialExpired(server: String, owner: String?) async throws {
        try await pool.write { db in
            let serverID = try db.id(of: "server", table: "servers", name: server)
            let userID = try owner.map { try db.id(of: "user", table: "users", name: $0) }
            try db.execute(
                sql: "UPDATE credentials SET state = 'expired', updated_at = ? WHERE server_id = ? AND IFNULL(user_id, 0) = IFNULL(?, 0)",
                arguments: [Date(), serverID, userID])
        }
    }

    /// Deletes a credential; returns whether there was one.
    @discardableResult
    public func deleteCredential(server: String, owner: String?) async throws -> Bool {
        try await pool.write { db in
            let serverID = try db.id(of: "server", table: "servers", name: server)
            let userID = try owner.map { try db.id(of: "user", table: "users", name: $0) }
            try db.execute(
                sql: "DELETE FROM credentials WHERE server_id = ? AND IFNULL(user_id, 0) = IFNULL(?, 0)", arguments: [serverID, userID])
            return db.changesCount > 0
        }
    }

    /// State of each user's credential for `server` (personal mode), by user name.
    public func credentialStates(server: String) async throws -> [String: UpstreamCredential.State] {
        try await personalCredentialStates(keyedBy: "u.name", where: "s.name", equals: server)
    }

    /// State of `user`'s credential for each server that has one, by server name.
    public func credentialStates(user: String) async throws -> [String: UpstreamCredential.State] {
        try await personalCredentialStates(keyedBy: "s.name", where: "u.name", equals: user)
    }

    private func personalCredentialStates(
        keyedBy key: String, where column: String, equals value: String
    ) async throws -> [String: UpstreamCredential.State] {
        try await pool.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(key) AS name, c.state FROM credentials c
                    JOIN servers s ON s.id = c.server_id JOIN users u ON u.id = c.user_id
                    WHERE \(column) = ?
                    """, arguments: [value])
            var states: [String: UpstreamCredential.State] = [:]
            for row in rows { states[row["name"]] = UpstreamCredential.State(rawValue: row["state"]) ?? .expired }
            return states
        }
    }

    /// Deletes every credential of `server` of the given kind of owner (`shared`: the shared one; else all users').
    public func deleteCredentials(server: String, shared: Bool) async throws {
        try await pool.write { db in
            let serverID = try db.id(of: "server", table: "servers", name: server)
            try db.execute(
                sql: "DELETE FROM credentials WHERE server_id = ? AND (user_id IS NULL) = ?", arguments: [serverID, shared])
        }
    }

    // MARK: - Upstream OAuth flows and registrations

    /// Remembers an upstream OAuth flow by the hash of its `state`.
    public func createUpstreamAuthorization(
        stateHash: String, _ pending: PendingUpstreamAuthorization, expiresAt: Date, now: Date = Date()
    ) async throws {
        let sealed = try sealer().seal(Array(pending.codeVerifier.utf8), associatedData: Array("upstream-state:\(stateHash)".utf8))
        try await pool.write { db in
            let serverID = try db.id(of: "server", table: "servers", name: pending.server)
            let userID = try pending.user.map { try db.id(of: "user", table: "users", name: $0) }
            try db.execute(sql: "DELETE FROM upstream_authorizations WHERE expires_at <= ?", arguments: [now])
            try db.execute(
                sql: """
                    INSERT INTO upstream_authorizations (state_hash, server_id, user_id, sealed_verifier, return_to, created_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [stateHash, serverID, userID, Data(sealed), pending.returnTo, now, expiresAt])
        }
    }

    /// Takes (and deletes) an unexpired upstream OAuth flow by the hash of its `state`.
    public func takeUpstreamAuthorization(stateHash: String, now: Date = Date()) async throws -> PendingUpstreamAuthorization? {
        let secrets = try sealer()
        return try await pool.write { db in
            guard let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT a.*, s.name AS server_name, u.name AS user_name FROM upstream_authorizations a
                    JOIN servers s ON s.id = a.server_id LEFT JOIN users u ON u.id = a.user_id
                    WHERE a.state_hash = ?
                    """, arguments: [stateHash])
            else { return nil }
            try db.execute(sql: "DELETE FROM upstream_authorizations WHERE state_hash = ?", arguments: [stateHash])
            guard (row["expires_at"] as Date) > now else { return nil }
            let verifier = try secrets.open(Array(row["sealed_verifier"] as Data), associatedData: Array("upstream-state:\(stateHash)".utf8))
            return PendingUpstreamAuthorization(
                server: row["server_name"], user: row["user_name"], codeVerifier: String(decoding: verifier, as: UTF8.self),
                returnTo: row["return_to"])
        }
    }

    /// What Sentinel discovered and registered at a server's OAuth authorization server (JSON), opened.
    public func oauthRegistration(server: String) async throws -> String? {
        let secrets = try sealer()
        return try await pool.read { db in
            guard let sealed = try Data.fetchOne(
                db, sql: "SELECT sealed_oauth_registration FROM servers WHERE name = ?", arguments: [server])
            else { return nil }
            return String(decoding: try secrets.open(Array(sealed), associatedData: Array("oauth-registration:\(server)".utf8)), as: UTF8.self)
        }
    }

    /// Stores (nil: forgets) the discovered and registered OAuth client of a server, sealed.
    public func saveOAuthRegistration(server: String, _ json: String?) async throws {
        let sealed = try json.map { try sealer().seal(Array($0.utf8), associatedData: Array("oauth-registration:\(server)".utf8)) }
        try await pool.write { db in
            _ = try db.id(of: "server", table: "servers", name: server)
            try db.execute(
                sql: "UPDATE servers SET sealed_oauth_registration = ? WHERE name = ?", arguments: [sealed.map { Data($0) }, server])
        }
    }
}
