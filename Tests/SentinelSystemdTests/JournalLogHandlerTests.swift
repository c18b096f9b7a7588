import Glibc
import Logging
import Synchronization
import Testing
@testable import SentinelSystemd

@Suite struct JournalLogHandlerTests {
    @Test func levelsMapToSyslogPriorities() {
        let expected: [(Logger.Level, Int)] = [
            (.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2),
        ]
        for (level, priority) in expected {
            #expect(level.syslogPriority == priority, "\(level)")
        }
    }

    @Test func metadataKeysBecomeUpperCaseSentinelFields() {
        #expect(JournalLogHandler.fieldName(forMetadataKey: "endpoint") == "SENTINEL_ENDPOINT")
        #expect(JournalLogHandler.fieldName(forMetadataKey: "duration_us") == "SENTINEL_DURATION_US")
        #expect(JournalLogHandler.fieldName(forMetadataKey: "request-id.v2") == "SENTINEL_REQUEST_ID_V2")
        #expect(JournalLogHandler.fieldName(forMetadataKey: "grün") == "SENTINEL_GR_N")
        #expect(JournalLogHandler.fieldName(forMetadataKey: "a b") == "SENTINEL_A_B")
    }

    @Test func longMetadataKeysAreCutToSixtyFourCharacters() {
        let name = JournalLogHandler.fieldName(forMetadataKey: String(repeating: "k", count: 100))
        #expect(name.count == 64)
        #expect(name == "SENTINEL_" + String(repeating: "K", count: 55))
        #expect(JournalWriter.isValidFieldName(name))
    }

    @Test func entryCarriesStandardFieldsAndMetadata() throws {
        let captured = Captured()
        var logger = Logger(label: "sentinel.gateway") { label in
            JournalLogHandler(
                label: label, identifier: "sentineld", level: .debug, metadataProvider: nil,
                fallbackDescriptor: -1
            ) { fields throws(JournalError) in
                captured.append(fields)
            }
        }
        logger[metadataKey: "endpoint"] = "eng"
        logger.notice("tool called\nsecond line", metadata: ["duration-us": "42", "tags": ["a", "b"]])

        let entries = captured.entries
        try #require(entries.count == 1)
        let fields = entries[0]
        #expect(fields[0].0 == "MESSAGE" && fields[0].1 == "tool called\nsecond line")
        let byName = Dictionary(fields, uniquingKeysWith: { first, _ in first })
        #expect(byName["PRIORITY"] == "5")
        #expect(byName["SYSLOG_IDENTIFIER"] == "sentineld")
        #expect(byName["SENTINEL_LOGGER"] == "sentinel.gateway")
        #expect(byName["CODE_FILE"]?.hasSuffix("JournalLogHandlerTests.swift") == true)
        #expect(byName["CODE_FUNC"] == "entryCarriesStandardFieldsAndMetadata()")
        #expect(Int(byName["CODE_LINE"] ?? "") != nil)
        #expect(byName["SENTINEL_ENDPOINT"] == "eng")
        #expect(byName["SENTINEL_DURATION_US"] == "42")
        #expect(byName["SENTINEL_TAGS"] == #"["a", "b"]"#)  // swift-log's own rendering
        #expect(fields.allSatisfy { JournalWriter.isValidFieldName($0.0) })
    }

    @Test func failedJournalSendFallsBackToStandardError() throws {
        let pipe = try Pipe()
        defer { pipe.close() }
        let logger = Logger(label: "sentinel.test") { label in
            JournalLogHandler(
                label: label, identifier: "sentineld", level: .info, metadataProvider: nil,
                fallbackDescriptor: pipe.writeEnd
            ) { _ throws(JournalError) in
                throw .sendFailed(errno: ENOENT)
            }
        }
        logger.error("cannot reach upstream", metadata: ["server": "files"])
        let line = try pipe.readAvailable()
        #expect(
            line == "ERROR sentinel.test: cannot reach upstream "
                + "journal_error=cannot send to the journal: No such file or directory (errno 2) server=files\n")
    }

    @Test func stderrHandlerWritesOneLinePerMessage() throws {
        let pipe = try Pipe()
        defer { pipe.close() }
        var logger = Logger(label: "sentinelctl") { label in
            StderrLogHandler(label: label, level: .info, metadataProvider: nil, fileDescriptor: pipe.writeEnd)
        }
        logger[metadataKey: "b"] = "2"
        logger.debug("hidden")
        logger.warning("slow upstream", metadata: ["a": "1"])
        #expect(try pipe.readAvailable() == "WARNING sentinelctl: slow upstream a=1 b=2\n")
    }

    @Test func journalStreamValueParsesDeviceAndInode() {
        let parsed = LogTarget.parseJournalStream("8:12345")
        #expect(parsed?.device == 8 && parsed?.inode == 12345)
        #expect(LogTarget.parseJournalStream("8") == nil)
        #expect(LogTarget.parseJournalStream("x:1") == nil)
        #expect(LogTarget.parseJournalStream("1:2:3") == nil)
    }

    @Test func explicitTargetsResolveToThemselves() {
        #expect(LogTarget.journal.resolved() == .journal)
        #expect(LogTarget.stderr.resolved() == .stderr)
        #expect(LogTarget.auto.resolved() != .auto)
        #expect(LogTarget.makeHandler(label: "x", identifier: "y", target: .stderr) is StderrLogHandler)
        #expect(LogTarget.makeHandler(label: "x", identifier: "y", target: .journal) is JournalLogHandler)
    }
}

/// Collects the entries a handler would send.
private final class Captured: Sendable {
    private let storage = Mutex<[[(String, String)]]>([])

    func append(_ fields: [(String, String)]) {
        storage.withLock { $0.append(fields) }
    }

    var entries: [[(String, String)]] {
        storage.withLock { $0 }
    }
}

/// A non-blocking pipe whose read end returns what was written so far.
struct Pipe {
    let readEnd: Int32
    let writeEnd: Int32

    init() throws {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw PipeError() }
        readEnd = ends[0]
        writeEnd = ends[1]
        // Reading must not hang a test when the handler wrote nothing.
        _ = fcntl(readEnd, F_SETFL, O_NONBLOCK)
    }

    func readAvailable() throws -> String {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = read(readEnd, &buffer, buffer.count)
        guard count >= 0 else { return "" }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }

    func close() {
        _ = Glibc.close(readEnd)
        _ = Glibc.close(writeEnd)
    }
}

struct PipeError: Error {}
