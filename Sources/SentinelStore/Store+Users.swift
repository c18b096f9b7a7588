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
            let id = db.lastInsertedRowID
            for group in Set(user.groups) {
                try Self.checkGroupName(group)
                try db.execute(sql: "INSERT INTO user_groups (user_id, name) VALUES (?, ?)", arguments: [id, group])
            }
            return user
        }
    }

    /// Every user, by name.
    public func users() async throws -> [User] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY name").map { try Self.user(from: $0, db: db) }
        }
    }

    /// One user by name.
    public func user(named name: String) async throws -> User {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM users WHERE name = ?", arguments: [name]) else {
                throw StoreError.notFound(kind: "user", name: name)
            }
            return try Self.user(from: row, db: db)
        }
    }

    /// Replaces a user's password hash and ends their browser sign-ins (a stolen sign-in cookie dies with the old password).
    public func setPasswordHash(user name: String, hash: String) async throws {
        try await pool.write { db in
            let id = try db.id(of: "user", table: "users", name: name)
            try db.execute(
                sql: "UPDATE users SET password_hash = ?, updated_at = ? WHERE name = ?", arguments: [hash, Date(), name])
            if try db.tableExists("signins") {
                try db.execute(sql: "DELETE FROM signins WHERE user_id = ?", arguments: [id])
            }
        }
    }

    /// Replaces a user's display name.
    public func setDisplayName(user name: String, _ displayName: String) async throws {
        try await pool.write { db in
            _ = try db.id(of: "user", table: "users", name: name)
            try db.execute(
                sql: "UPDATE users SET display_name = ?, updated_at = ? WHERE name = ?", arguments: [displayName, Date(), name])
        }
    }

    /// Removes a user and, with them, their grants.
    public func removeUser(named name: String) async throws {
        try await pool.write { db in
            let id = try db.id(of: "user", table: "users", name: name)
            try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [id])
        }
    }

    /// Adds `user` to the groups in `add` and removes them from those in `remove`; returns the user after.
    public func changeGroups(user name: String, add: [String], remove: [String]) async throws -> User {
        try await pool.write { db in
            let id = try db.id(of: "user", table: "users", name: name)
            for group in add {
                try Self.checkGroupName(group)
                try db.execute(sql: "INSERT OR IGNORE INTO user_groups (user_id, name) VALUES (?, ?)", arguments: [id, group])
            }
            for group in remove {
                try db.execute(sql: "DELETE FROM user_groups WHERE user_id = ? AND name = ?", arguments: [id, group])
            }
            try db.execute(sql: "UPDATE users SET updated_at = ? WHERE id = ?", arguments: [Date(), id])
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM users WHERE id = ?", arguments: [id]) else {
                throw StoreError.notFound(kind: "user", name: name)
            }
            return try Self.user(from: row, db: db)
        }
    }

    static func checkGroupName(_ group: String) throws {
        if let problem = EntityName.problem(with: group, kind: .group) {
            throw StoreError.invalid(field: "group", reason: problem)
        }
    }

    static func user(from row: Row, db: Database) throws -> User {
        let groups = try String.fetchAll(
            db, sql: "SELECT name FROM user_groups WHERE user_id = ? ORDER BY name", arguments: [row["id"] as Int64])
        return User(
            name: row["name"], displayName: row["display_name"], passwordHash: row["password_hash"], groups: groups,
            createdAt: row["created_at"], updatedAt: row["updated_at"])
    }
}
