import Foundation
import GRDB
import Testing
@testable import SentinelStore
import SentinelCore

struct StoreMigrationTests {
    static let firstMigration = "v1-servers-endpoints-users"

    @Test func freshStoreAppliesEveryMigrationAndUsesWAL() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try Store(path: directory.databasePath)
        #expect(Store.schemaMigrations.count >= 2)
        #expect(Store.schemaMigrations.first == Self.firstMigration)
        #expect(try store.appliedMigrations() == Store.schemaMigrations)
        #expect(store.path == directory.databasePath)

        let queue = try DatabaseQueue(path: directory.databasePath)
        let (mode, tables) = try await queue.read { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
            )
        }
        #expect(mode == "wal")
        for table in ["servers", "tools", "endpoints", "endpoint_servers", "endpoint_tools", "users", "oauth_clients", "grants", "tokens"] {
            #expect(tables.contains(table), "missing table \(table)")
        }
    }

    @Test func storeEnforcesForeignKeys() async throws {
        try await withStore { store in
            let enabled = try await store.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA foreign_keys") }
            #expect(enabled == 1)
        }
    }

    @Test func reopeningAMigratedStoreChangesNothing() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try await Store(path: directory.databasePath).addServer(Fixture.stdio("files"))
        let reopened = try Store(path: directory.databasePath)
        #expect(try reopened.appliedMigrations() == Store.schemaMigrations)
        #expect(try await reopened.servers().map(\.name) == ["files"])
    }

    @Test func olderDatabaseIsMigratedToTheLatestAndKeepsItsServers() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        do {
            let old = try Store(path: directory.databasePath, migrateUpTo: Self.firstMigration)
            #expect(try old.appliedMigrations() == [Self.firstMigration])
            let tables = try await old.pool.read { db in try db.tableExists("grants") }
            #expect(!tables)
            _ = try await old.addServer(Fixture.stdio("files", environment: ["A": "1"]))
        }
        let store = try Store(path: directory.databasePath)
        #expect(try store.appliedMigrations() == Store.schemaMigrations)
        let server = try await store.server(named: "files")
        #expect(server == Fixture.stdio("files", environment: ["A": "1"]))
        #expect(try await store.counts().activeGrants == 0)
    }

    @Test func databaseFromANewerSentineldIsRefusedAndLeftUntouched() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        do {
            let old = try Store(path: directory.databasePath, migrateUpTo: Self.firstMigration)
            _ = try await old.addServer(Fixture.stdio("files"))
        }
        do {
            let queue = try DatabaseQueue(path: directory.databasePath)
            try await queue.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v999-future')")
            }
        }

        #expect(throws: StoreError.newerSchema(path: directory.databasePath, unknownMigrations: ["v999-future"])) {
            try Store(path: directory.databasePath)
        }

        let queue = try DatabaseQueue(path: directory.databasePath)
        try await queue.read { db in
            let identifiers = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
            #expect(identifiers == [Self.firstMigration, "v999-future"])
            #expect(try !db.tableExists("grants"), "a later migration was applied to a newer database")
            #expect(try String.fetchAll(db, sql: "SELECT name FROM servers") == ["files"])
        }
    }

    @Test func newerSchemaErrorSaysWhatToDo() {
        let error = StoreError.newerSchema(path: "/var/lib/sentinel/db", unknownMigrations: ["v3", "v4"])
        #expect(error.description.contains("/var/lib/sentinel/db"))
        #expect(error.description.contains("v3, v4"))
        #expect(error.description.contains("newer sentineld"))
    }

    /// Names clients use before the upgrade stay: enabled tools are pinned under the names computed then,
    /// and tools cataloged before whole definitions were kept are listed as they were.
    @Test func upgradePinsTheNamesOfEnabledToolsAndKeepsDefinitions() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        do {
            let old = try Store(path: directory.databasePath, migrateUpTo: "v5-upstream-credentials")
            _ = try await old.addServer(Fixture.stdio("fm"))
            try await old.pool.write { db in
                let serverID = try db.id(of: "server", table: "servers", name: "fm")
                for (position, name) in ["get.data", "list"].enumerated() {
                    try db.execute(
                        sql: """
                            INSERT INTO tools (server_id, name, description, input_schema, position, discovered_at)
                            VALUES (?, ?, 'old', '{"type":"object"}', ?, ?)
                            """, arguments: [serverID, name, position, Fixture.now])
                }
            }
            _ = try await old.createEndpoint(Fixture.endpoint("eng", servers: ["fm"]))
            try await old.pool.write { db in
                try db.execute(sql: """
                    INSERT INTO endpoint_tools (endpoint_id, server_id, tool_name, enabled_at)
                    SELECT e.id, s.id, 'get.data', '2026-01-01' FROM endpoints e, servers s
                    """)
            }
        }
        let store = try Store(path: directory.databasePath)
        let pinned = try await store.pool.read { db in try String.fetchAll(db, sql: "SELECT exposed_name FROM endpoint_tools") }
        #expect(pinned == ["fm__get_data"])
        let tools = try await store.tools(server: "fm")
        #expect(tools.first?.definition == #"{"name":"get.data","description":"old","inputSchema":{"type":"object"}}"#)
        try await store.replaceCatalog(server: "fm", tools: Fixture.tools("fm", ["get.data", "get_data"]))
        #expect(try await store.toolSelections(endpoint: "eng").first { $0.tool == "get.data" }?.exposedName == "fm__get_data")
    }
}
