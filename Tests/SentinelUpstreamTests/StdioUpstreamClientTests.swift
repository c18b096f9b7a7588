#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging
import SentinelCore
import SentinelUpstream
import Synchronization
import Testing

/// Real child processes for the stdio tests: the demo server, and tiny shell servers.
enum StdioFixtures {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var demoServerPath: String {
        repositoryRoot.appendingPathComponent(".build/debug/sentinel-demo-server").path
    }

    static let logger = Logger(label: "sentinel.test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func server(name: String = "demo", command: [String], connectTimeout: Int = 10) -> Server {
        Server(
            name: name, transport: .stdio, command: command, connectTimeoutSeconds: connectTimeout,
            createdAt: Date(), updatedAt: Date())
    }

    static func demoServer(name: String = "demo", arguments: [String] = []) throws -> Server {
        try #require(
            FileManager.default.isExecutableFile(atPath: demoServerPath),
            "build the demo server first: swift build --product sentinel-demo-server")
        return server(name: name, command: [demoServerPath] + arguments)
    }

    /// A shell server that answers `initialize` (whatever its id) and then runs `afterwards`.
    static func shellServer(name: String = "script", afterwards: String) -> Server {
        let script = #"""
            read -r line
            id=$(printf '%s' "$line" | sed -E 's/.*"id":([0-9]+).*/\1/')
            printf '{"jsonrpc":"2.0","id":%s,"result":{"protocolVersion":"2025-11-25","capabilities":{"tools":{"listChanged":true}},"serverInfo":{"name":"script","version":"1"}}}\n' "$id"
            read -r line
            """# + "\n" + afterwards
        return server(name: name, command: ["/bin/sh", "-c", script])
    }

    static func client(for server: Server, lines: StderrLines? = nil) -> StdioUpstreamClient {
        var stderrLine: (@Sendable (String) -> Void)?
        if let lines { stderrLine = { line in lines.append(line) } }
        return StdioUpstreamClient(
            server: server, clientVersion: "test", logger: logger, stderrLine: stderrLine, stopTimeout: .seconds(2))
    }

    static func toolCall(_ name: String, _ arguments: String = "{}") -> RawJSON {
        RawJSON(Array(#"{"name":"\#(name)","arguments":\#(arguments)}"#.utf8))
    }

    /// The first element of `stream`, or nil if none comes within `limit`.
    static func first<Element: Sendable>(of stream: AsyncStream<Element>, within limit: Duration = .seconds(5)) async
        -> Element?
    {
        await withTaskGroup(of: Element?.self) { group in
            group.addTask {
                var iterator = stream.makeAsyncIterator()
                return await iterator.next()
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    static func isRunning(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno != ESRCH
    }
}

/// Lines a child wrote to stderr, collected for assertions.
final class StderrLines: Sendable {
    private let lines = Mutex<[String]>([])

    func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }

    var all: [String] { lines.withLock { $0 } }

    /// Waits (up to `limit`) until some line satisfies `predicate`.
    func waitFor(within limit: Duration = .seconds(5), _ predicate: (String) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if all.contains(where: predicate) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return all.contains(where: predicate)
    }
}

@Suite("StdioUpstreamClient with real child processes")
struct StdioUpstreamClientTests {
    @Test func echoRoundTripReturnsTheRawResult() async throws {
        let client = StdioFixtures.client(for: try StdioFixtures.demoServer())
        try await client.start()
        let result = try await client.request(
            "tools/call", params: StdioFixtures.toolCall("echo", #"{"text":"héllo \"world\""}"#), timeout: .seconds(5),
            progress: nil)
        let decoded = try result.decoded()
        #expect(decoded["structuredContent"]?["text"]?.stringValue == #"héllo "world""#)
        #expect(decoded["isError"]?.boolValue != true)
        await client.shutdown()
    }

    @Test func aMultiMegabyteResponseArrivesWhole() async throws {
        let client = StdioFixtures.client(for: try StdioFixtures.demoServer())
        try await client.start()
        let text = String(repeating: "0123456789abcdef", count: 64 * 1024)
        let result = try await client.request(
            "tools/call", params: StdioFixtures.toolCall("echo", #"{"text":"\#(text)"}"#), timeout: .seconds(10),
            progress: nil)
        #expect(try result.decoded()["structuredContent"]?["text"]?.stringValue == text)
        await client.shutdown()
    }

    @Test func concurrentSlowCallsDoNotHoldUpAPing() async throws {
        let client = StdioFixtures.client(for: try StdioFixtures.demoServer())
        try await client.start()
        let started = ContinuousClock.now
        async let first = client.request(
            "tools/call", params: StdioFixtures.toolCall("slow", #"{"seconds":4,"steps":1}"#), timeout: .seconds(15),
            progress: nil)
        async let second = client.request(
            "tools/call", params: StdioFixtures.toolCall("slow", #"{"seconds":4,"steps":1}"#), timeout: .seconds(15),
            progress: nil)
        try await Task.sleep(for: .milliseconds(100))
        let ping = try await client.request("ping", params: nil, timeout: .seconds(5), progress: nil)
        let pingAnswered = ContinuousClock.now - started
        let results = try await [first, second]
        let slowAnswered = ContinuousClock.now - started

        #expect(ping.text == "{}")
        // Margins are wide (a loaded machine took 3.8 s for two concurrent 2 s calls, and 5.02 s for two 3 s calls):
        // one after the other would take 8 s, a held-up ping 4 s.
        #expect(pingAnswered < .milliseconds(3500), "the ping waited for a slow call")
        #expect(slowAnswered >= .seconds(4))
        #expect(slowAnswered < .milliseconds(7500), "the two slow calls ran one after the other")
        for result in results {
            #expect(try result.decoded()["content"]?.arrayValue?.first?["text"]?.stringValue == "done after 4 s")
        }
        await client.shutdown()
    }

    @Test func progressNotificationsCarryTheClientsOwnToken() async throws {
        let client = StdioFixtures.client(for: try StdioFixtures.demoServer())
        try await client.start()
        let received = Mutex<[RawJSON]>([])
        _ = try await client.request(
            "tools/call", params: StdioFixtures.toolCall("slow", #"{"seconds":0.3,"steps":3}"#), timeout: .seconds(5),
            progress: { params in received.withLock { $0.append(params) } })
        let notifications = try received.withLock { $0 }.map { try $0.decoded() }
        #expect(notifications.map { $0["progress"]?.doubleValue } == [1, 2, 3])
        let tokens = Set(notifications.compactMap { $0["progressToken"]?.stringValue })
        #expect(tokens.count == 1)
        #expect(tokens.first?.hasPrefix("sentinel-") == true)
        await client.shutdown()
    }

    @Test func aHangingCallTimesOutAndIsCancelledUpstream() async throws {
        let lines = StderrLines()
        let client = StdioFixtures.client(for: try StdioFixtures.demoServer(), lines: lines)
        try await client.start()
        let started = ContinuousClock.now
        let error = await #expect(throws: UpstreamError.self) {
            _ = try await client.request(
                "tools/call", params: StdioFixtures.toolCall("hang"), timeout: .milliseconds(300), progress: nil)
        }
        guard case .timeout(let limit)? = error else {
            Issue.record("expected a timeout, got \(String(describing: error))")
            return
        }
        #expect(limit == .milliseconds(300))
        #expect(ContinuousClock.now - started < .seconds(2))
        // Ids count from 1, and initialize took the first.
        #expect(await lines.waitFor { $0 == "cancelled request 2" })
        // The process is still usable.
        _ = try await client.request("ping", params: nil, timeout: .seconds(5), progress: nil)
        await client.shutdown()
    }

    @Test func cancellingTheCallerCancelsUpstream() async throws {
        let lines = StderrLines()
        let client = StdioFixtures.client(for: try StdioFixtures.demoServer(), lines: lines)
        try await client.start()
        let outcome = await withTaskGroup(of: (any Error)?.self) { group in
            group.addTask {
                do {
                    _ = try await client.request(
                        "tools/call", params: StdioFixtures.toolCall("hang"), timeout: .seconds(30), progress: nil)
                    return nil
                } catch {
                    return error
                }
            }
            try? await Task.sleep(for: .milliseconds(200))
            group.cancelAll()
            return await group.next() ?? nil
        }
        #expect(outcome is CancellationError)
        #expect(await lines.waitFor { $0 == "cancelled request 2" })
        await client.shutdown()
    }

    @Test func aCrashFailsTheCallAndTheNextStartSpawnsAgain() async throws {
        let client = StdioFixtures.client(for: try StdioFixtures.demoServer())
        try await client.start()
        let firstPID = try #require(client.processIdentifier)
        let error = await #expect(throws: UpstreamError.self) {
            _ = try await client.request(
                "tools/call", params: StdioFixtures.toolCall("crash"), timeout: .seconds(5), progress: nil)
        }
        guard case .connectionLost(let why)? = error else {
            Issue.record("expected a lost connection, got \(String(describing: error))")
            return
        }
        #expect(why == "exited with status 3")
        #expect(client.processIdentifier == nil)
        await #expect(throws: UpstreamError.self) {
            _ = try await client.request("ping", params: nil, timeout: .seconds(1), progress: nil)
        }

        try await client.start()
        let secondPID = try #require(client.processIdentifier)
        #expect(secondPID != firstPID)
        #expect(!StdioFixtures.isRunning(firstPID))
        let result = try await client.request(
            "tools/call", params: StdioFixtures.toolCall("add", #"{"a":2,"b":3}"#), timeout: .seconds(5), progress: nil)
        #expect(try result.decoded()["structuredContent"]?["sum"]?.intValue == 5)
        await client.shutdown()
    }

    @Test func aMissingCommandFailsToSpawn() async throws {
        let client = StdioFixtures.client(
            for: StdioFixtures.server(command: ["sentinel-no-such-command-\(UInt32.random(in: 0...UInt32.max))"]))
        let error = await #expect(throws: UpstreamError.self) { try await client.start() }
        guard case .spawnFailed(let why)? = error else {
            Issue.record("expected a spawn failure, got \(String(describing: error))")
            return
        }
        #expect(why.contains("command not found"))
    }

    @Test func aServerThatExitsAtOnceFailsTheHandshakeWithItsLastWords() async throws {
        let client = StdioFixtures.client(
            for: StdioFixtures.server(command: ["/bin/sh", "-c", "echo 'missing API key' >&2; exit 7"]))
        let error = await #expect(throws: UpstreamError.self) { try await client.start() }
        guard case .handshakeFailed(let why)? = error else {
            Issue.record("expected a failed handshake, got \(String(describing: error))")
            return
        }
        // The exit may be noticed first, or the initialize write failing on the closed pipe; either
        // way the handshake fails and carries the child's last words.
        #expect(why.contains("exited with status 7") || why.contains("cannot write to the server"), "\(why)")
        #expect(why.contains("missing API key"), "\(why)")
    }

    @Test func shutdownLeavesNoChildProcess() async throws {
        let client = StdioFixtures.client(for: try StdioFixtures.demoServer())
        try await client.start()
        let pid = try #require(client.processIdentifier)
        #expect(StdioFixtures.isRunning(pid))
        await client.shutdown()
        #expect(!StdioFixtures.isRunning(pid), "the child was not reaped")
        #expect(client.processIdentifier == nil)
        await #expect(throws: UpstreamError.self) { try await client.start() }
    }

    @Test func shutdownKillsAServerThatIgnoresSIGTERM() async throws {
        let server = StdioFixtures.shellServer(afterwards: "trap '' TERM\nwhile :; do sleep 1; done")
        let client = StdioUpstreamClient(
            server: server, clientVersion: "test", logger: StdioFixtures.logger, stderrLine: { _ in },
            stopTimeout: .milliseconds(300))
        try await client.start()
        let pid = try #require(client.processIdentifier)
        await client.shutdown()
        #expect(!StdioFixtures.isRunning(pid))
    }

    @Test func upstreamRequestsAreAnsweredPingWithAnEmptyResultOthersNotFound() async throws {
        let lines = StderrLines()
        let server = StdioFixtures.shellServer(
            afterwards: #"""
                printf '{"jsonrpc":"2.0","id":"p1","method":"ping"}\n'
                printf '{"jsonrpc":"2.0","id":"r1","method":"roots/list"}\n'
                read -r first; echo "$first" >&2
                read -r second; echo "$second" >&2
                while read -r line; do :; done
                """#)
        let client = StdioFixtures.client(for: server, lines: lines)
        try await client.start()
        #expect(await lines.waitFor { $0 == #"{"jsonrpc":"2.0","id":"p1","result":{}}"# })
        #expect(await lines.waitFor { $0.contains(#""id":"r1""#) && $0.contains("-32601") })
        await client.shutdown()
    }

    @Test func strayLinesAndUnknownIdsAreIgnoredAndASplitLineIsJoined() async throws {
        let server = StdioFixtures.shellServer(
            afterwards: #"""
                printf '{"jsonrpc":"2.0","id":999,"result":{}}\n'
                printf 'a banner that is not JSON\n'
                read -r line
                id=$(printf '%s' "$line" | sed -E 's/.*"id":([0-9]+).*/\1/')
                printf '{"jsonrpc":"2.0","id":%s,' "$id"
                sleep 0.1
                printf '"result":{"ok":true}}\r\n'
                while read -r line; do :; done
                """#)
        let client = StdioFixtures.client(for: server)
        try await client.start()
        let result = try await client.request("tools/list", params: nil, timeout: .seconds(5), progress: nil)
        #expect(result.text == #"{"ok":true}"#)
        await client.shutdown()
    }

    @Test func theChildRunsWithTheConfiguredEnvironmentAndDirectory() async throws {
        let lines = StderrLines()
        var server = StdioFixtures.shellServer(
            afterwards: """
                echo "value=$SENTINEL_TEST_VALUE dir=$(pwd)" >&2
                while read -r line; do :; done
                """)
        server.environment = ["SENTINEL_TEST_VALUE": "configured"]
        server.workingDirectory = "/"
        let client = StdioFixtures.client(for: server, lines: lines)
        try await client.start()
        #expect(await lines.waitFor { $0 == "value=configured dir=/" })
        await client.shutdown()
    }

    @Test func upstreamNotificationsArriveOnTheClientsStream() async throws {
        let server = StdioFixtures.shellServer(
            afterwards: #"""
                printf '{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}\n'
                while read -r line; do :; done
                """#)
        let client = StdioFixtures.client(for: server)
        try await client.start()
        let notification = await StdioFixtures.first(of: client.notifications)
        #expect(notification?.method == "notifications/tools/list_changed")
        await client.shutdown()
    }
}
