import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import SentinelCore
import SentinelUpstream
import Synchronization
import Testing

/// A Python MCP server (Fixtures/mcp_http_fixture.py) run as a child process on loopback.
final class HTTPFixtureServer: Sendable {
    enum Kind: String, Sendable {
        case fastmcp
        case sdk
    }

    struct Options: Sendable, Hashable {
        var kind: Kind
        /// Refuse 2026-07-28 requests, as a server that predates that revision does.
        var handshakeOnly = false
        /// Keep events so a closed response stream can be resumed (fastmcp).
        var resumable = false
    }

    let options: Options
    let port: Int
    let directory: URL
    private let process: Mutex<Process?>

    var url: String { "http://127.0.0.1:\(port)/mcp" }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let python = repository.appendingPathComponent(".venv/bin/python")
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/mcp_http_fixture.py")
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: python.path) }
    static let unavailableReason: Comment = "needs the repository's .venv (make venv) with fastmcp==4.1.6 and mcp==2.3.0"

    private init(options: Options, port: Int, directory: URL, process: Process) {
        self.options = options
        self.port = port
        self.directory = directory
        self.process = Mutex(process)
    }

    struct StartFailed: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts a server and waits until it listens; `port` 0 picks a free one.
    static func start(_ options: Options, port: Int = 0) async throws -> HTTPFixtureServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sentinel-http-fixture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = python
        var arguments = [script.path, "--kind", options.kind.rawValue, "--port", String(port), "--dir", directory.path]
        if options.handshakeOnly { arguments.append("--handshake-only") }
        if options.resumable { arguments.append("--resumable") }
        process.arguments = arguments
        let output = directory.appendingPathComponent("server.out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let ready = directory.appendingPathComponent("ready")
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: ready, encoding: .utf8), let port = Int(text) {
                return HTTPFixtureServer(options: options, port: port, directory: directory, process: process)
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { process.terminate() }
        let log = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        throw StartFailed(description: "the fixture server did not start: \(log.suffix(2000))")
    }

    /// Kills the server (as a crash or a restart would) and waits for it to exit.
    func stop() async {
        guard let process = self.process.withLock({ process in defer { process = nil }; return process }) else { return }
        kill(process.processIdentifier, SIGKILL)
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }

    /// Lines of requests.log: one per HTTP request the server received, plus tool remarks.
    func requestLines() -> [String] {
        let text = (try? String(contentsOf: directory.appendingPathComponent("requests.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// Every response body the server sent, concatenated.
    func responseText() -> String {
        let text = (try? String(contentsOf: directory.appendingPathComponent("responses.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)).stringValue }.joined()
    }

    /// Waits until a request line satisfies `predicate`.
    func waitForRequest(within limit: Duration = .seconds(5), _ predicate: (String) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if requestLines().contains(where: predicate) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    func client(connectTimeoutSeconds: Int = 5) -> HTTPUpstreamClient {
        Self.client(url: url, connectTimeoutSeconds: connectTimeoutSeconds)
    }

    static func client(url: String, connectTimeoutSeconds: Int = 5) -> HTTPUpstreamClient {
        let now = Date()
        let server = Server(
            name: "fixture",
            transport: .http,
            url: url,
            connectTimeoutSeconds: connectTimeoutSeconds,
            createdAt: now,
            updatedAt: now
        )
        return HTTPUpstreamClient(
            server: server,
            clientVersion: "test",
            logger: testLogger
        )
    }

    /// Silent unless SENTINEL_TEST_LOG is set, then debug output on stderr.
    static var testLogger: Logger {
        guard ProcessInfo.processInfo.environment["SENTINEL_TEST_LOG"] != nil else {
            return Logger(label: "sentinel.upstream.test", factory: { _ in SwiftLogNoOpLogHandler() })
        }
        var logger = Logger(label: "sentinel.upstream.test", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = .trace
        return logger
    }
}

/// Servers shared by the tests that do not stop or restart them; each starts once per test run
/// and exits with the test process.
actor HTTPFixtureServers {
    static let shared = HTTPFixtureServers()

    private var servers: [HTTPFixtureServer.Options: Task<HTTPFixtureServer, any Error>] = [:]

    func server(_ options: HTTPFixtureServer.Options) async throws -> HTTPFixtureServer {
        if let existing = servers[options] { return try await existing.value }
        let starting = Task { try await HTTPFixtureServer.start(options) }
        servers[options] = starting
        return try await starting.value
    }

    static let handshakeFastMCP = HTTPFixtureServer.Options(kind: .fastmcp, handshakeOnly: true)
    static let dualEraFastMCP = HTTPFixtureServer.Options(kind: .fastmcp)
    static let dualEraSDK = HTTPFixtureServer.Options(kind: .sdk)
    static let resumableFastMCP = HTTPFixtureServer.Options(kind: .fastmcp, handshakeOnly: true, resumable: true)
}

/// Collects what arrives on a client's `notifications` stream.
final class HTTPNotificationCollector: Sendable {
    private let received = Mutex<[UpstreamNotification]>([])
    private let finished = Mutex(false)

    init(_ stream: AsyncStream<UpstreamNotification>) {
        Task {
            for await notification in stream { self.received.withLock { $0.append(notification) } }
            self.finished.withLock { $0 = true }
        }
    }

    var methods: [String] { received.withLock { $0.map(\.method) } }
    var isFinished: Bool { finished.withLock { $0 } }
}

@Suite("HTTP fixture servers", .enabled(if: HTTPFixtureServer.isAvailable, HTTPFixtureServer.unavailableReason))
struct HTTPFixtureServerTests {
    @Test func fixtureServerStartsAndReportsItsPort() async throws {
        let server = try await HTTPFixtureServers.shared.server(HTTPFixtureServers.handshakeFastMCP)
        #expect(server.port > 0)
    }
}
