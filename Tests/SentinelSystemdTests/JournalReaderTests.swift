import Foundation
import Testing
@testable import SentinelSystemd

/// Reads journal files made by `systemd-journal-remote` from export-format text, so no journald is needed.
@Suite(
    .enabled(
        if: FileManager.default.isExecutableFile(atPath: JournalFixture.journalRemote),
        "needs /lib/systemd/systemd-journal-remote: apt-get install systemd-journal-remote"))
struct JournalReaderTests {
    @Test func matchReturnsOnlyMatchingEntriesWithAllFields() throws {
        let fixture = try JournalFixture(entries: JournalFixture.sample)
        defer { fixture.remove() }
        let reader = try JournalReader(directory: fixture.directory)
        try reader.addMatch("SENTINEL_EVENT", "x")

        let first = try #require(try reader.next())
        #expect(first.realtime == 1_700_000_000_000_000)
        #expect(first.message == "first call")
        #expect(first[field: "SENTINEL_TOOL"] == "read_file")
        #expect(first[field: "SENTINEL_EVENT"] == "x")
        #expect(first.cursor.hasPrefix("s="))

        let second = try #require(try reader.next())
        #expect(second.realtime == 1_700_000_002_000_000)
        #expect(second.message == "line one\nline two")
        #expect(second[field: "SENTINEL_BLOB"] == "ok\u{FFFD}")
        #expect(second.cursor != first.cursor)

        #expect(try reader.next() == nil)
    }

    @Test func disjunctionWidensTheMatch() throws {
        let fixture = try JournalFixture(entries: JournalFixture.sample)
        defer { fixture.remove() }
        let reader = try JournalReader(directory: fixture.directory)
        try reader.addMatch("SENTINEL_EVENT", "y")
        try reader.addDisjunction()
        try reader.addMatch("SENTINEL_TOOL", "read_file")
        #expect(try reader.allMessages() == ["first call", "other event"])
    }

    @Test func conjunctionNarrowsTheMatch() throws {
        let fixture = try JournalFixture(entries: JournalFixture.sample)
        defer { fixture.remove() }
        let reader = try JournalReader(directory: fixture.directory)
        try reader.addMatch("SENTINEL_EVENT", "x")
        try reader.addConjunction()
        try reader.addMatch("SENTINEL_TOOL", "read_file")
        #expect(try reader.allMessages() == ["first call"])
    }

    @Test func tailAndPreviousWalkBackwards() throws {
        let fixture = try JournalFixture(entries: JournalFixture.sample)
        defer { fixture.remove() }
        let reader = try JournalReader(directory: fixture.directory)
        try reader.seekTail()
        #expect(try reader.previous()?.message == "line one\nline two")
        #expect(try reader.previous()?.message == "other event")
        try reader.seekHead()
        #expect(try reader.next()?.message == "first call")
        #expect(try reader.previous() == nil)
    }

    @Test func seekingByTimeAndCursorStartsThere() throws {
        let fixture = try JournalFixture(entries: JournalFixture.sample)
        defer { fixture.remove() }
        let reader = try JournalReader(directory: fixture.directory)
        try reader.seek(sinceRealtimeMicroseconds: 1_700_000_001_500_000)
        let last = try #require(try reader.next())
        #expect(last.message == "line one\nline two")
        #expect(try reader.next() == nil)

        let again = try JournalReader(directory: fixture.directory)
        try again.seek(cursor: last.cursor)
        #expect(try again.next()?.cursor == last.cursor)
    }

    @Test func waitTimesOutWhenNothingIsAppended() throws {
        let fixture = try JournalFixture(entries: JournalFixture.sample)
        defer { fixture.remove() }
        let reader = try JournalReader(directory: fixture.directory)
        try reader.seekTail()
        _ = try reader.previous()
        _ = try reader.wait(timeout: .milliseconds(10))  // the first wait sets up inotify
        #expect(try reader.wait(timeout: .milliseconds(10)) == false)
    }

    @Test func invalidMatchIsRejected() throws {
        let fixture = try JournalFixture(entries: JournalFixture.sample)
        defer { fixture.remove() }
        let reader = try JournalReader(directory: fixture.directory)
        #expect(throws: JournalError.matchFailed(match: "bad field=x", errno: EINVAL)) {
            try reader.addMatch("bad field", "x")
        }
    }

    @Test func missingDirectoryFailsToOpen() {
        #expect(throws: JournalError.self) {
            _ = try JournalReader(directory: "/nonexistent/sentinel-journal")
        }
    }
}

extension JournalReader {
    fileprivate func allMessages() throws -> [String] {
        var messages: [String] = []
        while let entry = try next() {
            messages.append(entry.message ?? "")
        }
        return messages
    }
}

/// A temporary directory holding one journal file built from export-format entries.
struct JournalFixture {
    static let journalRemote = "/lib/systemd/systemd-journal-remote"

    /// A field in export format: text fields as `NAME=value`, others length-prefixed (binary).
    enum Field {
        case text(String, String)
        case binary(String, [UInt8])
    }

    static let sample: [[Field]] = [
        [
            .text("__REALTIME_TIMESTAMP", "1700000000000000"), .text("MESSAGE", "first call"),
            .text("SENTINEL_EVENT", "x"), .text("SENTINEL_TOOL", "read_file"),
        ],
        [
            .text("__REALTIME_TIMESTAMP", "1700000001000000"), .text("MESSAGE", "other event"),
            .text("SENTINEL_EVENT", "y"),
        ],
        [
            .text("__REALTIME_TIMESTAMP", "1700000002000000"), .binary("MESSAGE", Array("line one\nline two".utf8)),
            .text("SENTINEL_EVENT", "x"), .binary("SENTINEL_BLOB", [0x6F, 0x6B, 0xFF]),
        ],
    ]

    let directory: String

    init(entries: [[Field]]) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sentinel-journal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.journalRemote)
        process.arguments = ["--output=\(directory)/test.journal", "--compress=no", "-"]
        process.environment = ["PATH": "/usr/bin:/bin", "SYSTEMD_LOG_LEVEL": "warning"]
        let input = Foundation.Pipe()
        let errors = Foundation.Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: Self.export(entries))
        try input.fileHandleForWriting.close()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            remove()
            throw FixtureError(message: String(decoding: message, as: UTF8.self))
        }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// systemd's journal export format: fields end with a newline, entries with an empty line.
    static func export(_ entries: [[Field]]) -> Data {
        var data = Data()
        for entry in entries {
            for field in entry {
                switch field {
                case .text(let name, let value):
                    data.append(contentsOf: Array("\(name)=\(value)\n".utf8))
                case .binary(let name, let value):
                    data.append(contentsOf: Array("\(name)\n".utf8))
                    withUnsafeBytes(of: UInt64(value.count).littleEndian) { data.append(contentsOf: $0) }
                    data.append(contentsOf: value)
                    data.append(UInt8(ascii: "\n"))
                }
            }
            data.append(UInt8(ascii: "\n"))
        }
        return data
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let message: String
    var description: String { "systemd-journal-remote failed: \(message)" }
}
