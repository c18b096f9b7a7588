import Foundation
import Testing
@testable import SentinelStore
import SentinelCore

struct StoreServerTests {
    @Test func serversAreAddedListedReadUpdatedAndRemoved() async throws {
        try await withStore { store in
            let files = Fixture.stdio("files", environment: ["TOKEN": "secret", "MODE": "ro"])
            #expect(try await store.addServer(files) == files)
            _ = try await store.addServer(Fixture.http("remote"))
            _ = try await store.addServer(Fixture.stdio("archive"))

            #expect(try await store.servers().map(\.name) == ["archive", "files", "remote"])
            #expect(try await store.server(named: "files") == files)
            #expect(try await store.server(named: "remote") == Fixture.http("remote"))

            let updated = try await store.updateServer(named: "files") { server in
                server.description = "changed"
                server.environment = ["MODE": "rw"]
                server.workingDirectory = "/srv/files"
                server.callTimeoutSeconds = 120
            }
            #expect(updated.description == "changed")
            #expect(updated.updatedAt > files.updatedAt)
            let reread = try await store.server(named: "files")
            #expect(reread.description == "changed")
            #expect(reread.environment == ["MODE": "rw"])
            #expect(reread.workingDirectory == "/srv/files")
            #expect(reread.callTimeoutSeconds == 120)
            #expect(reread.createdAt == files.createdAt)

            #expect(try await store.removeServer(named: "files", force: false) == [])
            await #expect(throws: StoreError.notFound(kind: "server", name: "files")) {
                try await store.server(named: "files")
            }
            #expect(try await store.servers().map(\.name) == ["archive", "remote"])
        }
    }

    @Test func duplicateServerNameIsRefused() async throws {
        try await withStore { store in
            _ = try await store.addServer(Fixture.stdio("files"))
            await #expect(throws: StoreError.alreadyExists(kind: "server", name: "files")) {
                try await store.addServer(Fixture.http("files"))
            }
            #expect(try await store.server(named: "files").transport == .stdio)
        }
    }

    static func invalidServer(_ field: String) -> Server {
        switch field {
        case "name":
            var server = Fixture.stdio("files")
            server.name = "Files!"
            return server
        case "command":
            var server = Fixture.stdio("files")
            server.command = []
            return server
        default:
            var server = Fixture.http("remote")
            server.url = nil
            return server
        }
    }

    @Test(arguments: ["name", "command", "url"])
    func invalidServersAreRefusedWithTheField(field: String) async throws {
        try await withStore { store in
            let server = Self.invalidServer(field)
            let error = await #expect(throws: StoreError.self) { try await store.addServer(server) }
            if case .invalid(let reported, _)? = error {
                #expect(reported == field)
            } else {
                Issue.record("expected invalid(\(field)), got \(String(describing: error))")
            }
            let servers = try await store.servers()
            #expect(servers.isEmpty)
        }
    }

    @Test func updateThatBreaksTheServerIsRefusedAndNotStored() async throws {
        try await withStore { store in
            _ = try await store.addServer(Fixture.stdio("files"))
            await #expect(throws: StoreError.invalid(field: "command", reason: "a stdio server needs a command")) {
                try await store.updateServer(named: "files") { $0.command = [] }
            }
            let error = await #expect(throws: StoreError.self) {
                try await store.updateServer(named: "files") { $0.name = "renamed" }
            }
            #expect(error == .invalid(field: "name", reason: "a server cannot be renamed"))
            #expect(try await store.server(named: "files") == Fixture.stdio("files"))
            await #expect(throws: StoreError.notFound(kind: "server", name: "ghost")) {
                try await store.updateServer(named: "ghost") { $0.description = "x" }
            }
        }
    }

    @Test func removingAnAttachedServerIsRefusedUnlessForced() async throws {
        try await withStore { store in
            _ = try await store.addServer(Fixture.stdio("files"))
            _ = try await store.addServer(Fixture.stdio("other"))
            _ = try await store.createEndpoint(Fixture.endpoint("ops", servers: ["files", "other"]))
            _ = try await store.createEndpoint(Fixture.endpoint("eng", servers: ["files"]))

            await #expect(throws: StoreError.serverInUse(server: "files", endpoints: ["eng", "ops"])) {
                try await store.removeServer(named: "files", force: false)
            }
            #expect(try await store.endpoint(named: "eng").servers == ["files"])

            #expect(try await store.removeServer(named: "files", force: true) == ["eng", "ops"])
            #expect(try await store.endpoint(named: "eng").servers == [])
            #expect(try await store.endpoint(named: "ops").servers == ["other"])
            #expect(try await store.servers().map(\.name) == ["other"])
            await #expect(throws: StoreError.notFound(kind: "server", name: "files")) {
                try await store.removeServer(named: "files", force: true)
            }
        }
    }

    @Test func refreshFailureIsRecordedAndClearedByTheNextCatalog() async throws {
        try await withStore { store in
            _ = try await store.addServer(Fixture.stdio("files"))
            let failedAt = Fixture.now.addingTimeInterval(10)
            try await store.recordRefreshFailure(server: "files", error: "exit status 1", at: failedAt)
            var server = try await store.server(named: "files")
            #expect(server.lastError == "exit status 1")
            #expect(server.refreshedAt == failedAt)

            let refreshedAt = Fixture.now.addingTimeInterval(20)
            try await store.replaceCatalog(server: "files", tools: Fixture.tools("files", ["read"]), at: refreshedAt)
            server = try await store.server(named: "files")
            #expect(server.lastError == nil)
            #expect(server.refreshedAt == refreshedAt)
        }
    }
}
