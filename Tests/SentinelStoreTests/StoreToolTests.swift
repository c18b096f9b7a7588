import Foundation
import GRDB
import Testing
@testable import SentinelStore
import SentinelCore

struct StoreToolTests {
    /// Servers files (read, write, read.file) and git (log, diff), both attached to eng.
    static func prepared(_ store: Store) async throws {
        _ = try await store.addServer(Fixture.stdio("files"))
        _ = try await store.addServer(Fixture.stdio("git"))
        try await store.replaceCatalog(server: "files", tools: Fixture.tools("files", ["read", "write", "read.file"]))
        try await store.replaceCatalog(server: "git", tools: Fixture.tools("git", ["log", "diff"]))
        _ = try await store.createEndpoint(Fixture.endpoint("eng", servers: ["files", "git"]))
    }

    static func enabled(_ store: Store, _ endpoint: String = "eng") async throws -> [String] {
        try await store.toolSelections(endpoint: endpoint).filter(\.enabled).map { "\($0.server)/\($0.tool)" }
    }

    @Test func catalogKeepsTheUpstreamOrder() async throws {
        try await withStore { store in
            try await Self.prepared(store)
            let tools = try await store.tools(server: "files")
            #expect(tools.map(\.name) == ["read", "write", "read.file"])
            #expect(tools.first == Tool(server: "files", name: "read", description: "does read", discoveredAt: Fixture.now))
            try await store.replaceCatalog(server: "files", tools: Fixture.tools("files", ["b", "a"]))
            #expect(try await store.tools(server: "files").map(\.name) == ["b", "a"])
        }
    }

    @Test func noToolIsEnabledByDefaultAndEachHasItsExposedName() async throws {
        try await withStore { store in
            try await Self.prepared(store)
            let selections = try await store.toolSelections(endpoint: "eng")
            #expect(selections.map(\.exposedName) == ["files__read", "files__write", "files__read_file", "git__log", "git__diff"])
            #expect(selections.allSatisfy { !$0.enabled && $0.endpoint == "eng" })
        }
    }

    @Test func toolsAreEnabledByServerSlashToolByExposedNameAndByAllOf() async throws {
        try await withStore { store in
            try await Self.prepared(store)
            let first = try await store.setTools(endpoint: "eng", tools: ["files/read.file", "git__log"], allOf: [], enabled: true)
            #expect(first.map(\.exposedName) == ["files__read_file", "git__log"])
            #expect(first.allSatisfy { $0.enabled })
            #expect(try await Self.enabled(store) == ["files/read.file", "git/log"])

            let again = try await store.setTools(endpoint: "eng", tools: ["git/log"], allOf: [], enabled: true)
            #expect(again.isEmpty)

            let all = try await store.setTools(endpoint: "eng", tools: [], allOf: ["files"], enabled: true)
            #expect(all.map(\.tool) == ["read", "write"])
            #expect(try await Self.enabled(store) == ["files/read", "files/write", "files/read.file", "git/log"])
        }
    }

    @Test func unknownToolChangesNothing() async throws {
        try await withStore { store in
            try await Self.prepared(store)
            await #expect(throws: StoreError.noSuchTool(endpoint: "eng", tool: "files/delete")) {
                try await store.setTools(endpoint: "eng", tools: ["files/read", "git/log", "files/delete"], allOf: ["git"], enabled: true)
            }
            #expect(try await Self.enabled(store) == [])
            let rows = try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM endpoint_tools") }
            #expect(rows == 0)
        }
    }

    @Test func allOfAServerThatIsNotAttachedChangesNothing() async throws {
        try await withStore { store in
            try await Self.prepared(store)
            _ = try await store.addServer(Fixture.stdio("other"))
            await #expect(throws: StoreError.notAttached(endpoint: "eng", server: "other")) {
                try await store.setTools(endpoint: "eng", tools: ["files/read"], allOf: ["other"], enabled: true)
            }
            await #expect(throws: StoreError.notFound(kind: "server", name: "ghost")) {
                try await store.setTools(endpoint: "eng", tools: ["files/read"], allOf: ["ghost"], enabled: true)
            }
            await #expect(throws: StoreError.notFound(kind: "endpoint", name: "ops")) {
                try await store.setTools(endpoint: "ops", tools: ["files/read"], allOf: [], enabled: true)
            }
            #expect(try await Self.enabled(store) == [])
        }
    }

    @Test func toolsAreDisabled() async throws {
        try await withStore { store in
            try await Self.prepared(store)
            _ = try await store.setTools(endpoint: "eng", tools: [], allOf: ["files", "git"], enabled: true)
            let disabled = try await store.setTools(endpoint: "eng", tools: ["files__write"], allOf: ["git"], enabled: false)
            #expect(disabled.map(\.exposedName) == ["files__write", "git__log", "git__diff"])
            #expect(disabled.allSatisfy { !$0.enabled })
            #expect(try await Self.enabled(store) == ["files/read", "files/read.file"])
            #expect(try await store.setTools(endpoint: "eng", tools: ["files/write"], allOf: [], enabled: false).count == 0)
        }
    }

    @Test func selectionsAreKeptPerEndpoint() async throws {
        try await withStore { store in
            try await Self.prepared(store)
            _ = try await store.createEndpoint(Fixture.endpoint("ops", servers: ["files"]))
            _ = try await store.setTools(endpoint: "eng", tools: ["files/read"], allOf: [], enabled: true)
            #expect(try await Self.enabled(store, "ops") == [])
            #expect(try await store.toolSelections(endpoint: "ops").map(\.tool) == ["read", "write", "read.file"])
        }
    }

    @Test func detachingAServerRemovesItsSelections() async throws {
        try await withStore { store in
            try await Self.prepared(store)
            _ = try await store.setTools(endpoint: "eng", tools: [], allOf: ["files", "git"], enabled: true)
            try await store.detach(server: "files", from: "eng")
            #expect(try await Self.enabled(store) == ["git/log", "git/diff"])
            let rows = try await store.pool.read { db in
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM endpoint_tools et JOIN servers s ON s.id = et.server_id WHERE s.name = 'files'")
            }
            #expect(rows == 0)
            #expect(try await store.attach(server: "files", to: "eng"))
            #expect(try await Self.enabled(store) == ["git/log", "git/diff"])
        }
    }

    @Test func toolDroppedFromTheCatalogAndReAddedKeepsItsState() async throws {
        try await withStore { store in
            try await Self.prepared(store)
            _ = try await store.setTools(endpoint: "eng", tools: ["files/write"], allOf: [], enabled: true)
            try await store.replaceCatalog(server: "files", tools: Fixture.tools("files", ["read"]))
            #expect(try await store.toolSelections(endpoint: "eng").filter { $0.server == "files" }.map(\.tool) == ["read"])
            #expect(try await Self.enabled(store) == [])
            try await store.replaceCatalog(server: "files", tools: Fixture.tools("files", ["write", "read"]))
            #expect(try await Self.enabled(store) == ["files/write"])
        }
    }

    @Test func collidingToolNamesGetDistinctExposedNamesThatEnableExactlyOneTool() async throws {
        try await withStore { store in
            _ = try await store.addServer(Fixture.stdio("files"))
            try await store.replaceCatalog(server: "files", tools: Fixture.tools("files", ["a.b", "a b"]))
            _ = try await store.createEndpoint(Fixture.endpoint("eng", servers: ["files"]))
            let selections = try await store.toolSelections(endpoint: "eng")
            #expect(Set(selections.map(\.exposedName)).count == 2)
            #expect(!selections.contains { $0.exposedName == "files__a_b" })
            let target = try #require(selections.first { $0.tool == "a b" })
            let changed = try await store.setTools(endpoint: "eng", tools: [target.exposedName], allOf: [], enabled: true)
            #expect(changed.map(\.tool) == ["a b"])
            #expect(try await Self.enabled(store) == ["files/a b"])
        }
    }

    // MARK: - Pinned exposed names (issue 11, defect 5)

    static func names(_ store: Store, _ endpoint: String = "eng") async throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try await store.toolSelections(endpoint: endpoint).map { ("\($0.server)/\($0.tool)", $0.exposedName) })
    }

    @Test func anEnabledToolKeepsItsNameWhenACollidingToolAppears() async throws {
        try await withStore { store in
            _ = try await store.addServer(Fixture.stdio("fm"))
            try await store.replaceCatalog(server: "fm", tools: Fixture.tools("fm", ["get.data"]))
            _ = try await store.createEndpoint(Fixture.endpoint("eng", servers: ["fm"]))
            _ = try await store.createEndpoint(Fixture.endpoint("ops", servers: ["fm"]))
            _ = try await store.setTools(endpoint: "eng", tools: ["fm__get_data"], allOf: [], enabled: true)

            try await store.replaceCatalog(server: "fm", tools: Fixture.tools("fm", ["get.data", "get_data"]))
            let names = try await Self.names(store)
            #expect(names["fm/get.data"] == "fm__get_data")
            #expect(names["fm/get_data"]?.hasPrefix("fm__get_data_") == true)
            let (_, exposed) = try await store.exposedTools(endpoint: "eng")
            #expect(exposed.filter(\.enabled).map(\.exposedName) == ["fm__get_data"])

            // The newcomer is enabled under its hashed name, and both keep their names.
            let hashed = try #require(names["fm/get_data"])
            _ = try await store.setTools(endpoint: "eng", tools: [hashed], allOf: [], enabled: true)
            #expect(try await Self.names(store) == names)

            // Where nothing was enabled, both collide and both carry hashes, as before.
            let unpinned = try await Self.names(store, "ops")
            #expect(unpinned["fm/get.data"] != "fm__get_data" && unpinned["fm/get_data"] == hashed)
        }
    }

    @Test func aDisabledToolReleasesItsNameAndIsRenamedWhenEnabledAgain() async throws {
        try await withStore { store in
            _ = try await store.addServer(Fixture.stdio("fm"))
            try await store.replaceCatalog(server: "fm", tools: Fixture.tools("fm", ["get.data"]))
            _ = try await store.createEndpoint(Fixture.endpoint("eng", servers: ["fm"]))
            _ = try await store.setTools(endpoint: "eng", tools: ["fm/get.data"], allOf: [], enabled: true)
            try await store.replaceCatalog(server: "fm", tools: Fixture.tools("fm", ["get.data", "get_data"]))
            let disabled = try await store.setTools(endpoint: "eng", tools: ["fm__get_data"], allOf: [], enabled: false)
            #expect(disabled.map(\.tool) == ["get.data"])
            let again = try await store.setTools(endpoint: "eng", tools: ["fm/get.data"], allOf: [], enabled: true)
            #expect(again.map(\.exposedName) == [ExposedName.assign([(server: "fm", tool: "get.data"), (server: "fm", tool: "get_data")])["fm/get.data"]])
            #expect(again.first?.exposedName != "fm__get_data")
        }
    }

    @Test func anEnabledToolMissingFromItsCatalogKeepsItsNameReservedAndCanBeDisabled() async throws {
        try await withStore { store in
            _ = try await store.addServer(Fixture.stdio("fm"))
            try await store.replaceCatalog(server: "fm", tools: Fixture.tools("fm", ["get.data"]))
            _ = try await store.createEndpoint(Fixture.endpoint("eng", servers: ["fm"]))
            _ = try await store.setTools(endpoint: "eng", tools: ["fm/get.data"], allOf: [], enabled: true)
            // get.data is gone for a while, and get_data appears.
            try await store.replaceCatalog(server: "fm", tools: Fixture.tools("fm", ["get_data"]))
            #expect(try await Self.names(store)["fm/get_data"]?.hasPrefix("fm__get_data_") == true)
            try await store.replaceCatalog(server: "fm", tools: Fixture.tools("fm", ["get_data", "get.data"]))
            #expect(try await Self.names(store)["fm/get.data"] == "fm__get_data")
            #expect(try await Self.enabled(store) == ["fm/get.data"])

            try await store.replaceCatalog(server: "fm", tools: Fixture.tools("fm", ["get_data"]))
            let disabled = try await store.setTools(endpoint: "eng", tools: ["fm__get_data"], allOf: [], enabled: false)
            #expect(disabled.map(\.tool) == ["get.data"])
            #expect(try await Self.names(store)["fm/get_data"] == "fm__get_data")
        }
    }
}
