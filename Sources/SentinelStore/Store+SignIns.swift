public import Foundation
public import SentinelCore
import GRDB

extension Store {
    /// Records a browser sign-in by the SHA-256 of its cookie value.
    public func createSignIn(hash: String, user: String, expiresAt: Date, address: String?, now: Date = Date()) async throws {
        try await pool.write { db in
            let userID = try db.id(of: "user", table: "users", name: user)
            try db.execute(
                sql: "INSERT INTO signins (hash, user_id, created_at, expires_at, address) VALUES (?, ?, ?, ?, ?)",
                arguments: [hash, userID, now, expiresAt, address])
        }
    }

    /// The signed-in user of an unexpired sign-in, or nil.
    public func signedInUser(hash: String, now: Date = Date()) async throws -> User? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(
                db,
                sql: "SELECT u.* FROM signins s JOIN users u ON u.id = s.user_id WHERE s.hash = ? AND s.expires_at > ?",
                arguments: [hash, now])
            else { return nil }
            return try Self.user(from: row, db: db)
        }
    }

    /// Ends a sign-in (sign out).
    public func deleteSignIn(hash: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM signins WHERE hash = ?", arguments: [hash])
        }
    }
}
