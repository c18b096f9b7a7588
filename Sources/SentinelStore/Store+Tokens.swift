public import Foundation
public import SentinelCore
import GRDB

extension Store {
    /// Creates a grant for `user` × `clientID` × `endpoint` lasting `duration`, and its authorization code.
    public func createGrant(
        id: String, user: String, clientID: String, endpoint: String, duration: TimeInterval, scope: String,
        code: PendingCode, now: Date = Date()
    ) async throws -> Grant {
        try await pool.write { db in
            let userID = try db.id(of: "user", table: "users", name: user)
            let endpointID = try db.id(of: "endpoint", table: "endpoints", name: endpoint)
            try db.execute(
                sql: """
                    INSERT INTO grants (id, user_id, client_id, endpoint_id, created_at, expires_at, scope)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [id, userID, clientID, endpointID, now, now.addingTimeInterval(duration), scope])
            try db.execute(
                sql: """
                    INSERT INTO tokens (hash, grant_id, kind, expires_at, created_at, code_challenge, redirect_uri)
                    VALUES (?, ?, 'code', ?, ?, ?, ?)
                    """,
                arguments: [code.hash, id, code.expiresAt, now, code.codeChallenge, code.redirectURI])
            guard let grant = try Self.grants(matching: GrantFilter(id: id), now: now, db: db).first else {
                throw StoreError.notFound(kind: "session", name: id)
            }
            return grant
        }
    }

    /// Redeems a one-time token of `kind` (`code` or `refresh`) issued to `clientID`: marks it used, or,
    /// when it was used before, revokes its grant. For a code, `check` runs first (PKCE, redirect URI): when it
    /// throws, the code stays unused, so someone who saw a code but lacks the verifier cannot burn it.
    public func redeem(
        hash: String, kind: String, clientID: String, now: Date = Date(), check: @Sendable (PendingCode) throws -> Void = { _ in }
    ) async throws -> Redemption {
        try await pool.write { db in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT * FROM tokens WHERE hash = ? AND kind = ?", arguments: [hash, kind])
            else { return .invalid }
            let grantID: String = row["grant_id"]
            guard let grant = try Self.grants(
                matching: GrantFilter(id: grantID, includeInactive: true), now: now, db: db
            ).first, grant.clientID == clientID
            else { return .invalid }
            if (row["used_at"] as Date?) != nil {
                guard grant.isActive(at: now) else { return .invalid }
                try Self.revoke(grant, now: now, db: db)
                var revoked = grant
                revoked.revokedAt = now
                return .reused(revoked)
            }
            guard grant.isActive(at: now), (row["expires_at"] as Date) > now else { return .invalid }
            let code = kind == "code"
                ? PendingCode(
                    hash: hash, codeChallenge: row["code_challenge"] ?? "", redirectURI: row["redirect_uri"] ?? "",
                    expiresAt: row["expires_at"])
                : nil
            if let code { try check(code) }
            try db.execute(sql: "UPDATE tokens SET used_at = ? WHERE hash = ?", arguments: [now, hash])
            return .redeemed(grant, code: code)
        }
    }

    /// Stores a new access and refresh token for an active grant; the refresh token lives as long as the grant.
    public func issueTokens(_ tokens: TokenHashes, grant: Grant, now: Date = Date()) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO tokens (hash, grant_id, kind, expires_at, created_at) VALUES (?, ?, 'access', ?, ?)",
                arguments: [tokens.access, grant.id, min(tokens.accessExpiresAt, grant.expiresAt), now])
            try db.execute(
                sql: "INSERT INTO tokens (hash, grant_id, kind, expires_at, created_at) VALUES (?, ?, 'refresh', ?, ?)",
                arguments: [tokens.refresh, grant.id, grant.expiresAt, now])
        }
    }

    /// The grant behind an access token that is unexpired and whose grant is active, else nil.
    public func accessToken(hash: String, now: Date = Date()) async throws -> AccessTokenGrant? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT t.expires_at AS token_expires, g.id, g.expires_at, g.scope, g.client_id,
                        u.name AS user_name, e.name AS endpoint_name
                    FROM tokens t JOIN grants g ON g.id = t.grant_id
                    JOIN users u ON u.id = g.user_id JOIN endpoints e ON e.id = g.endpoint_id
                    WHERE t.hash = ? AND t.kind = 'access' AND g.revoked_at IS NULL
                    """, arguments: [hash])
            else { return nil }
            let expires = min(row["token_expires"] as Date, row["expires_at"] as Date)
            guard expires > now else { return nil }
            return AccessTokenGrant(
                grantID: row["id"], endpoint: row["endpoint_name"], user: row["user_name"], clientID: row["client_id"],
                scope: row["scope"], expiresAt: expires)
        }
    }

    /// RFC 7009: forgets an access token, or revokes the whole grant of a refresh token. Returns the grant
    /// revoked, if any. Tokens of other clients are left alone.
    public func revokeToken(hash: String, clientID: String, now: Date = Date()) async throws -> Grant? {
        try await pool.write { db in
            guard let row = try Row.fetchOne(
                db,
                sql: "SELECT t.kind, t.grant_id FROM tokens t JOIN grants g ON g.id = t.grant_id WHERE t.hash = ? AND g.client_id = ?",
                arguments: [hash, clientID])
            else { return nil }
            if row["kind"] == "access" {
                try db.execute(sql: "DELETE FROM tokens WHERE hash = ?", arguments: [hash])
                return nil
            }
            guard let grant = try Self.grants(matching: GrantFilter(id: row["grant_id"]), now: now, db: db).first else {
                return nil
            }
            try Self.revoke(grant, now: now, db: db)
            var revoked = grant
            revoked.revokedAt = now
            return revoked
        }
    }

    /// Records when and from where a grant was last used.
    public func touchGrant(id: String, address: String?, now: Date = Date()) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE grants SET last_used_at = ?, last_address = COALESCE(?, last_address) WHERE id = ?",
                arguments: [now, address, id])
        }
    }

    /// Which of `ids` are grants that are still active.
    public func activeGrantIDs(among ids: [String], now: Date = Date()) async throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        return try await pool.read { db in
            let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
            var arguments = StatementArguments(ids)
            arguments += [now]
            return Set(try String.fetchAll(
                db, sql: "SELECT id FROM grants WHERE id IN (\(marks)) AND revoked_at IS NULL AND expires_at > ?",
                arguments: arguments))
        }
    }

    /// Deletes what has run out: expired tokens and sign-ins, grants whose code expired without ever being
    /// redeemed (an unexpired, unrevoked grant always holds its refresh token once redeemed), and registered clients unused for `unusedClientAge` (a client that comes back registers again).
    /// Returns how many rows went.
    @discardableResult
    public func deleteExpiredCredentials(now: Date = Date(), unusedClientAge: TimeInterval = 30 * 86_400) async throws -> Int {
        try await pool.write { db in
            var count = 0
            try db.execute(
                sql: """
                    DELETE FROM grants WHERE revoked_at IS NULL AND expires_at > ?
                      AND NOT EXISTS (SELECT 1 FROM tokens t WHERE t.grant_id = grants.id AND (t.kind != 'code' OR t.expires_at > ?))
                    """, arguments: [now, now])
            count += db.changesCount
            try db.execute(sql: "DELETE FROM tokens WHERE expires_at <= ?", arguments: [now])
            count += db.changesCount
            try db.execute(sql: "DELETE FROM signins WHERE expires_at <= ?", arguments: [now])
            count += db.changesCount
            try db.execute(sql: "DELETE FROM upstream_authorizations WHERE expires_at <= ?", arguments: [now])
            count += db.changesCount
            try db.execute(
                sql: """
                    DELETE FROM oauth_clients WHERE kind != 'preregistered' AND IFNULL(updated_at, created_at) < ?
                      AND NOT EXISTS (SELECT 1 FROM grants g WHERE g.client_id = oauth_clients.id)
                    """, arguments: [now.addingTimeInterval(-unusedClientAge)])
            count += db.changesCount
            return count
        }
    }
}
