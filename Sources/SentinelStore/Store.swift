import Foundation
import GRDB
public import SentinelCore
public import SentinelCrypto
import Synchronization

/// Sentinel's persistent state: one SQLite database in WAL mode.
///
/// Opening runs pending migrations and refuses a database that a newer
/// sentineld has migrated, so an accidental downgrade cannot corrupt it.
public final class Store: Sendable {
    let pool: DatabasePool
    /// The database file.
    public let path: String
    /// Seals secrets (server headers, upstream credentials) at rest; without it, storing a secret is refused.
    /// Replaced only by `rotateSecretKey`.
    let secretsBox: Mutex<SecretBox?>
    var secrets: SecretBox? { secretsBox.withLock { $0 } }

    /// Opens (creating when missing) and migrates the database at `path`.
    public convenience init(path: String, secrets: SecretBox? = nil) throws {
        try self.init(path: path, migrateUpTo: nil, secrets: secrets)
    }

    /// Opens the database, migrating only up to `migrateUpTo` (tests of older schemas use this).
    init(path: String, migrateUpTo target: String?, secrets: SecretBox? = nil) throws {
        self.secretsBox = Mutex(secrets)
        let migrator = StoreMigrations.migrator
        // Check the schema read-only first: opening a pool writes (WAL set-up), and a
        // database from a newer sentineld must be left exactly as it is.
        if FileManager.default.fileExists(atPath: path) {
            var readOnly = Configuration()
            readOnly.readonly = true
            let applied = try DatabaseQueue(path: path, configuration: readOnly).read { db in
                try migrator.appliedIdentifiers(db)
            }
            let unknown = applied.subtracting(migrator.migrations)
            if !unknown.isEmpty {
                throw StoreError.newerSchema(path: path, unknownMigrations: unknown.sorted())
            }
        }
        Self.restrictFileModes(path: path)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(5)
        configuration.label = "sentinel"
        self.pool = try DatabasePool(path: path, configuration: configuration)
        self.path = path
        if let target {
            try migrator.migrate(pool, upTo: target)
        } else {
            try migrator.migrate(pool)
        }
    }

    /// The database and its `-wal` and `-shm` files hold token hashes, grants and sealed secrets:
    /// only their owner may read them.
    ///
    /// A missing database is created empty with mode 0600 before SQLite opens it, since SQLite
    /// creates the `-wal` and `-shm` files with the database file's mode. Files an older sentineld
    /// created readable by others lose those permissions.
    static func restrictFileModes(path: String) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if descriptor >= 0 {
            close(descriptor)
            return
        }
        // Any other failure (no such directory, no permission) is SQLite's to report when it opens the file.
        guard errno == EEXIST else { return }
        for file in [path, path + "-wal", path + "-shm"] {
            var info = stat()
            guard lstat(file, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_mode & 0o077 != 0 else { continue }
            _ = chmod(file, info.st_mode & 0o700)
        }
    }

    /// Identifiers of every migration this build knows, oldest first.
    public static var schemaMigrations: [String] { StoreMigrations.migrator.migrations }

    /// The migrations applied to this database, oldest first.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try StoreMigrations.migrator.appliedMigrations(db) }
    }

    /// Counts of the main objects, for `sentinelctl status`.
    public func counts() async throws -> StoreCounts {
        try await pool.read { db in
            StoreCounts(
                servers: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM servers") ?? 0,
                endpoints: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM endpoints") ?? 0,
                users: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM users") ?? 0,
                activeGrants: try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM grants WHERE revoked_at IS NULL AND expires_at > ?",
                    arguments: [Date()]) ?? 0
            )
        }
    }
}

extension Database {
    /// The row id of a named object, or `StoreError.notFound`.
    func id(of kind: String, table: String, name: String) throws -> Int64 {
        guard let id = try Int64.fetchOne(self, sql: "SELECT id FROM \(table) WHERE name = ?", arguments: [name]) else {
            throw StoreError.notFound(kind: kind, name: name)
        }
        return id
    }
}

enum JSONText {
    static func encode(_ value: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(value)) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func encode(_ value: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(value)) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func decodeArray(_ text: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }

    static func decodeObject(_ text: String) -> [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:]
    }
}
