import Foundation
import Testing
@testable import SentinelStore
import SentinelCore

struct StoreFileModeTests {
    static func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    /// Issue 11, item 8: the database held token hashes and grants readable by every local user (0644).
    @Test func theDatabaseAndItsWALFilesAreOnlyTheOwners() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let previous = umask(0o022)
        defer { umask(previous) }
        let store = try Store(path: directory.databasePath)
        _ = try await store.addServer(Fixture.stdio("files"))
        for suffix in ["", "-wal", "-shm"] {
            #expect(try Self.mode(directory.databasePath + suffix) == 0o600, "sentinel.sqlite\(suffix)")
        }
    }

    @Test func filesAnOlderSentineldLeftReadableAreRestricted() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        do {
            let store = try Store(path: directory.databasePath)
            _ = try await store.addServer(Fixture.stdio("files"))
        }
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: directory.databasePath + suffix) {
            #expect(chmod(directory.databasePath + suffix, 0o644) == 0)
        }
        let reopened = try Store(path: directory.databasePath)
        #expect(try await reopened.servers().map(\.name) == ["files"])
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: directory.databasePath + suffix) {
            #expect(try Self.mode(directory.databasePath + suffix) == 0o600, "sentinel.sqlite\(suffix)")
        }
    }
}
