public import Foundation
public import SentinelCore
import GRDB
import SentinelCrypto

extension Store {
    /// The schema of MCP sessions, registered by `StoreMigrations` as `v6-mcp-sessions` (released: never
    /// edit it, add a migration).
    static func migrateMCPSessions(_ db: Database) throws {
        try db.execute(sql: """
            -- The key that signs Mcp-Session-Id values, AES-256-GCM sealed with the secret key
            -- (associated data "mcp-session-key"); made on first use.
            CREATE TABLE mcp_session_key (id INTEGER PRIMARY KEY CHECK (id = 1), sealed BLOB NOT NULL, created_at DATETIME NOT NULL);
            -- Sessions by the SHA-256 of their id: last use (recorded now and then) and whether DELETE ended them.
            CREATE TABLE mcp_sessions (
                id_hash TEXT PRIMARY KEY,
                endpoint TEXT NOT NULL,
                client_name TEXT NOT NULL DEFAULT '',
                client_version TEXT NOT NULL DEFAULT '',
                last_used_at DATETIME NOT NULL,
                ended INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX mcp_sessions_by_last_use ON mcp_sessions(last_used_at);
            """)
    }

    static let sessionKeyData = Array("mcp-session-key".utf8)

    /// The 32-byte key that signs MCP session ids; generated and stored sealed on first use, so every
    /// start (and every node sharing the store) verifies the ids the others issued.
    public func mcpSessionKey() async throws -> [UInt8] {
        guard let secrets else { throw StoreError.invalid(field: "secret_key", reason: "no secret key is configured") }
        return try await pool.write { db in
            if let sealed = try Data.fetchOne(db, sql: "SELECT sealed FROM mcp_session_key WHERE id = 1") {
                return try secrets.open(Array(sealed), associatedData: Self.sessionKeyData)
            }
            let key = SecureRandom.bytes(count: 32)
            try db.execute(
                sql: "INSERT INTO mcp_session_key (id, sealed, created_at) VALUES (1, ?, ?)",
                arguments: [Data(try secrets.seal(key, associatedData: Self.sessionKeyData)), Date()])
            return key
        }
    }

    /// What the store remembers of the session whose id hashes to `idHash`, if anything.
    public func mcpSession(idHash: String) async throws -> StoredMCPSession? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM mcp_sessions WHERE id_hash = ?", arguments: [idHash]).map(Self.storedSession)
        }
    }

    /// Records that a session was used at `lastUsed` (never moving the record back, never reviving
    /// an ended one), and forgets rows last used before `forgetBefore`.
    public func recordMCPSessionUse(
        idHash: String, endpoint: String, clientName: String, clientVersion: String, lastUsed: Date, forgetBefore: Date
    ) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO mcp_sessions (id_hash, endpoint, client_name, client_version, last_used_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (id_hash) DO UPDATE SET last_used_at = MAX(last_used_at, excluded.last_used_at)
                    """,
                arguments: [idHash, endpoint, clientName, clientVersion, lastUsed])
            try db.execute(sql: "DELETE FROM mcp_sessions WHERE last_used_at < ?", arguments: [forgetBefore])
        }
    }

    /// Ends a session (DELETE): its id is refused from now on, until the row is forgotten with the
    /// others last used before `forgetBefore`.
    public func endMCPSession(idHash: String, endpoint: String, at now: Date, forgetBefore: Date) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO mcp_sessions (id_hash, endpoint, last_used_at, ended) VALUES (?, ?, ?, 1)
                    ON CONFLICT (id_hash) DO UPDATE SET ended = 1, last_used_at = MAX(last_used_at, excluded.last_used_at)
                    """,
                arguments: [idHash, endpoint, now])
            try db.execute(sql: "DELETE FROM mcp_sessions WHERE last_used_at < ?", arguments: [forgetBefore])
        }
    }

    private static func storedSession(_ row: Row) -> StoredMCPSession {
        StoredMCPSession(
            endpoint: row["endpoint"], lastUsed: row["last_used_at"], ended: (row["ended"] as Int) != 0,
            clientName: row["client_name"], clientVersion: row["client_version"])
    }
}
