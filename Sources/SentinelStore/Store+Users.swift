import Foundation
public import SentinelCore
import GRDB

extension Store {
    /// Adds a user; the name must be new.
    public func addUser(_ user: User) async throws -> User {
        if let problem = EntityName.problem(with: user.name, kind: .user) {
            throw StoreError.invalid(field: "name", reason: problem)
        }
        return try await pool.write { db in
            if try Int64.fetchOne(db, sql: "SELECT id FROM users WHERE name = ?", arguments: [user.name]) != nil {
                throw StoreError.alreadyExists(kind: "user", name: user.name)
            }
            try db.execute(
                sql: "INSERT INTO users (name, display_name, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [user.name, user.displayName, user.passwordHash, user.createdAt, user.updatedAt])
            return user
        }
    }

    /// Every user, by name.
    public func users() async throws -> [User] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY name").map(Self.user(from:))
        }
    }

    /// One user by name.
    public func user(named name: String) async throws -> User {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM users WHERE name = ?", arguments: [name]) else {
                throw StoreError.notFound(kind: "user", name: name)
            }
            return Self.user(from: row)
        }
    }

    /// Replaces a user's password hash.
    public func setPasswordHash(user name: String, hash: String) async throws {
        try await pool.write { db in
            _ = try db.id(of: "user", table: "users", name: name)
            try db.execute(
                sql: "UPDATE users SET password_hash = ?, updated_at = ? WHERE name = ?", arguments: [hash, Date(), name])
        }
    }

    /// Removes a user and, with them, their grants.
    public func removeUser(named name: String) async throws {
        try await pool.write { db in
            let id = try db.id(of: "user", table: "users", name: name)
            try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [id])
        }
    }

    static func user(from row: Row) -> User {
        User(
            name: row["name"], displayName: row["display_name"], passwordHash: row["password_hash"],
            createdAt: row["created_at"], updatedAt: row["updated_at"])
    }
}
