import Foundation
import GRDB
import SentinelCore
public import SentinelCrypto
import Synchronization

extension Store {
    static let canaryText = Array("sentinel secret key canary".utf8)
    static let canaryData = Array("secret-canary".utf8)

    /// Whether the configured key opens what this database holds sealed. Seals a canary on first use, so a
    /// wrong key is noticed at start rather than when a credential is first needed.
    public func secretKeyMatches() async throws -> Bool {
        guard let secrets else { return true }
        return try await pool.write { db in
            if let sealed = try Data.fetchOne(db, sql: "SELECT sealed FROM secret_canary WHERE id = 1") {
                return (try? secrets.open(Array(sealed), associatedData: Self.canaryData)) == Self.canaryText
            }
            try db.execute(
                sql: "INSERT INTO secret_canary (id, sealed) VALUES (1, ?)",
                arguments: [Data(try secrets.seal(Self.canaryText, associatedData: Self.canaryData))])
            return true
        }
    }

    /// Re-encrypts every stored secret with `newKey` in one transaction. `persist` runs inside it, after the
    /// re-encryption and before the commit (it stores the new key); if it throws, nothing changes.
    /// Returns how many secrets were re-encrypted.
    @discardableResult
    public func rotateSecretKey(to newKey: SecretBox, persist: @Sendable () throws -> Void) async throws -> Int {
        guard let old = secrets else { throw StoreError.invalid(field: "secret_key", reason: "no secret key is configured") }
        let count = try await pool.write { db -> Int in
            var count = 0
            func reseal(_ sealed: Data, _ associated: [UInt8]) throws -> Data {
                count += 1
                return Data(try newKey.seal(try old.open(Array(sealed), associatedData: associated), associatedData: associated))
            }
            for row in try Row.fetchAll(db, sql: "SELECT id, name, sealed_headers, sealed_oauth_client_secret, sealed_oauth_registration FROM servers") {
                let name: String = row["name"]
                let columns: [(String, [UInt8])] = [
                    ("sealed_headers", Array(name.utf8)), ("sealed_oauth_client_secret", Array("oauth-client:\(name)".utf8)),
                    ("sealed_oauth_registration", Array("oauth-registration:\(name)".utf8)),
                ]
                for (column, associated) in columns {
                    guard let sealed: Data = row[column] else { continue }
                    try db.execute(
                        sql: "UPDATE servers SET \(column) = ? WHERE id = ?", arguments: [try reseal(sealed, associated), row["id"] as Int64])
                }
            }
            let credentials = try Row.fetchAll(
                db,
                sql: """
                    SELECT c.id, c.sealed, s.name AS server, u.name AS owner FROM credentials c
                    JOIN servers s ON s.id = c.server_id LEFT JOIN users u ON u.id = c.user_id
                    """)
            for row in credentials {
                let associated = Self.credentialData(server: row["server"], owner: row["owner"])
                try db.execute(
                    sql: "UPDATE credentials SET sealed = ? WHERE id = ?", arguments: [try reseal(row["sealed"], associated), row["id"] as Int64])
            }
            for row in try Row.fetchAll(db, sql: "SELECT state_hash, sealed_verifier FROM upstream_authorizations") {
                let hash: String = row["state_hash"]
                try db.execute(
                    sql: "UPDATE upstream_authorizations SET sealed_verifier = ? WHERE state_hash = ?",
                    arguments: [try reseal(row["sealed_verifier"], Array("upstream-state:\(hash)".utf8)), hash])
            }
            if let sealed = try Data.fetchOne(db, sql: "SELECT sealed FROM mcp_session_key WHERE id = 1") {
                try db.execute(
                    sql: "UPDATE mcp_session_key SET sealed = ? WHERE id = 1", arguments: [try reseal(sealed, Self.sessionKeyData)])
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO secret_canary (id, sealed) VALUES (1, ?)",
                arguments: [Data(try newKey.seal(Self.canaryText, associatedData: Self.canaryData))])
            try persist()
            return count
        }
        secretsBox.withLock { $0 = newKey }
        return count
    }
}
