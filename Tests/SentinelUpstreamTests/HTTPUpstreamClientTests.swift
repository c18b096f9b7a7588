import Foundation
import Logging
import SentinelCore
import SentinelUpstream
import Synchronization
import Testing

/// `HTTPUpstreamClient` against real Python MCP servers (fastmcp 4.1.6 and the official SDK 2.3.0) on loopback.
@Suite("HTTPUpstreamClient", .enabled(if: HTTPFixtureServer.isAvailable, HTTPFixtureServer.unavailableReason))
struct HTTPUpstreamClientTests {
    private static let toolsCall = "tools/call"

    private static func call(_ tool: String, _ arguments: String = "{}") -> RawJSON {
        RawJSON(Array(#"{"name":\#(RawJSON(string: tool).text),"arguments":\#(arguments)}"#.utf8))
    }

    // MARK: - Era negotiation

    @Test func startFallsBackToTheHandshakeEraWhenTheServerRefusesModernRequests() async throws {
        let server = try await HTTPFixtureServers.shared.server(HTTPFixtureServers.handshakeFastMCP)
        let client = server.client()
        try await client.start()
        defer { Task { await client.shutdown() } }

        #expect(client.protocolVersion == "2025-11-25")
        let session = try #require(client.sessionID)
        let lines = server.requestLines()
        #expect(lines.contains { $0.hasPrefix("POST server/discover - 2026-07-28 server/discover") })
        #expect(lines.contains { $0.hasPrefix("POST notifications/initialized \(session) 2025-11-25") })
    }

    @Test(arguments: [HTTPFixtureServers.dualEraSDK, HTTPFixtureServers.dualEraFastMCP])
    func startPicksTheModernEraWhenDiscoveryListsIt(options: HTTPFixtureServer.Options) async throws {
        let server = try await HTTPFixtureServers.shared.server(options)
        let client = server.client()
        try await client.start()
        defer { Task { await client.shutdown() } }

        #expect(client.protocolVersion == "2026-07-28")
        #expect(client.sessionID == nil)
        let echoed = try await client.request(Self.toolsCall, params: Self.call("echo", #"{"text":"hi"}"#), timeout: .seconds(10), progress: nil)
        #expect(try echoed.decoded()["content"]?.arrayValue?.first?["text"]?.stringValue == "hi")
        // Stateless: no initialize; every request names its method and target in headers.
        #expect(await server.waitForRequest { $0.hasPrefix("POST tools/call - 2026-07-28 tools/call echo") })
    }

    // MARK: - Requests

    @Test(arguments: [HTTPFixtureServers.handshakeFastMCP, HTTPFixtureServers.dualEraSDK])
    func toolsListReturnsTheFixtureToolsWithTheirSchemas(options: HTTPFixtureServer.Options) async throws {
        let server = try await HTTPFixtureServers.shared.server(options)
        let client = server.client()
        defer { Task { await client.shutdown() } }

        let result = try await client.request("tools/list", params: nil, timeout: .seconds(10), progress: nil)
        let tools = try #require(try result.decoded()["tools"]?.arrayValue)
        let names = Set(tools.compactMap { $0["name"]?.stringValue })
        #expect(names.isSuperset(of: ["echo", "slow", "hang"]))
        let echo = try #require(tools.first { $0["name"]?.stringValue == "echo" })
        #expect(echo["inputSchema"]?["properties"]?["text"]?["type"]?.stringValue == "string")
        #expect(server.responseText().contains(#""result":"# + result.text))
    }

    @Test(arguments: [HTTPFixtureServers.handshakeFastMCP, HTTPFixtureServers.dualEraSDK])
    func echoReturnsTheResultBytesExactlyAsTheServerSentThem(options: HTTPFixtureServer.Options) async throws {
        let server = try await HTTPFixtureServers.shared.server(options)
        let client = server.client()
        defer { Task { await client.shutdown() } }
        let text = "h\u{E9}llo \"w\u{F6}rld\" \u{1F600} \\ tab\t 1.0e+3"

        let result = try await client.request(
            Self.toolsCall,
            params: Self.call("echo", #"{"text":\#(RawJSON(string: text).text)}"#),
            timeout: .seconds(10),
            progress: nil
        )
        #expect(try result.decoded()["content"]?.arrayValue?.first?["text"]?.stringValue == text)
        #expect(server.responseText().contains(#""result":"# + result.text))
    }

    @Test(arguments: [HTTPFixtureServers.handshakeFastMCP, HTTPFixtureServers.dualEraSDK])
    func progressArrivesWhileTheSlowCallIsStillRunning(options: HTTPFixtureServer.Options) async throws {
        let server = try await HTTPFixtureServers.shared.server(options)
        let client = server.client()
        defer { Task { await client.shutdown() } }
        let updates = Mutex<[(ContinuousClock.Instant, RawJSON)]>([])

        let result = try await client.request(
            Self.toolsCall,
            params: Self.call("slow", #"{"seconds":1.0}"#),
            timeout: .seconds(10),
            progress: { params in updates.withLock { $0.append((.now, params)) } }
        )
        let answeredAt = ContinuousClock.now

        #expect(try result.decoded()["content"]?.arrayValue?.first?["text"]?.stringValue == "slept 1.0")
        let received = updates.withLock { $0 }
        #expect(received.count == 10)
        let first = try #require(received.first)
        #expect(first.0 < answeredAt - .milliseconds(500), "the first progress came only with the result")
        let token = try #require(first.1.decoded()["progressToken"]?.stringValue)
        #expect(token.hasPrefix("sentinel-"))
        #expect(try first.1.decoded()["message"]?.stringValue == "step 1")
    }

    @Test(arguments: [HTTPFixtureServers.handshakeFastMCP, HTTPFixtureServers.dualEraSDK])
    func anUpstreamJSONRPCErrorIsThrownWithTheUpstreamMessage(options: HTTPFixtureServer.Options) async throws {
        let server = try await HTTPFixtureServers.shared.server(options)
        let client = server.client()
        defer { Task { await client.shutdown() } }

        do {
            _ = try await client.request("no/such/method", params: .emptyObject, timeout: .seconds(10), progress: nil)
            Issue.record("the call succeeded")
        } catch UpstreamError.rpc(let code, let message, let raw) {
            #expect(code == JSONRPCErrorCode.methodNotFound)
            #expect(message.contains("not found"))
            #expect(try raw.decoded()["message"]?.stringValue == message)
        }
    }

    @Test func aNameWithUnsafeCharactersTravelsBase64EncodedInMcpName() async throws {
        let server = try await HTTPFixtureServers.shared.server(HTTPFixtureServers.dualEraSDK)
        let client = server.client()
        defer { Task { await client.shutdown() } }

        do {
            _ = try await client.request(Self.toolsCall, params: Self.call("\u{E9}cho \u{2713}"), timeout: .seconds(10), progress: nil)
        } catch UpstreamError.rpc(let code, _, _) {
            // Unknown tool is fine; a header that disagrees with the body (-32020) is not.
            #expect(code != JSONRPCErrorCode.headerMismatch)
        }
        let expected = "=?base64?" + Data("\u{E9}cho \u{2713}".utf8).base64EncodedString() + "?="
        #expect(await server.waitForRequest { $0.hasPrefix("POST tools/call - 2026-07-28 tools/call \(expected)") })
    }

    // MARK: - Timeouts and cancellation

    @Test func aHangingCallTimesOutAndTheServerIsToldToCancel() async throws {
        let server = try await HTTPFixtureServers.shared.server(HTTPFixtureServers.handshakeFastMCP)
        let client = server.client()
        try await client.start()
        defer { Task { await client.shutdown() } }
        let session = try #require(client.sessionID)

        let started = ContinuousClock.now
        do {
            _ = try await client.request(Self.toolsCall, params: Self.call("hang"), timeout: .seconds(1), progress: nil)
            Issue.record("hang answered")
        } catch UpstreamError.timeout(let limit) {
            #expect(limit == .seconds(1))
        }
        #expect(ContinuousClock.now - started < .seconds(3))
        #expect(await server.waitForRequest { $0.hasPrefix("POST notifications/cancelled \(session) 2025-11-25") })
        #expect(await server.waitForRequest { $0 == "hang cancelled" })
    }

    @Test func aHangingModernCallTimesOutAndClosingTheStreamCancelsIt() async throws {
        let server = try await HTTPFixtureServers.shared.server(HTTPFixtureServers.dualEraSDK)
        let client = server.client()
        defer { Task { await client.shutdown() } }

        let started = ContinuousClock.now
        await #expect(throws: UpstreamError.self) {
            _ = try await client.request(Self.toolsCall, params: Self.call("hang"), timeout: .seconds(1), progress: nil)
        }
        #expect(ContinuousClock.now - started < .seconds(3))
        #expect(await server.waitForRequest { $0 == "hang cancelled" })
        #expect(!server.requestLines().contains { $0.hasPrefix("POST notifications/cancelled") })
    }

    @Test func cancellingTheCallerThrowsCancellationErrorAndCancelsUpstream() async throws {
        let server = try await HTTPFixtureServers.shared.server(HTTPFixtureServers.handshakeFastMCP)
        let client = server.client()
        try await client.start()
        defer { Task { await client.shutdown() } }
        let session = try #require(client.sessionID)

        let call = Task {
            try await client.request(Self.toolsCall, params: Self.call("hang"), timeout: .seconds(30), progress: nil)
        }
        try await Task.sleep(for: .milliseconds(500))
        call.cancel()
        let started = ContinuousClock.now
        await #expect(throws: CancellationError.self) { _ = try await call.value }
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(await server.waitForRequest { $0.hasPrefix("POST notifications/cancelled \(session)") })
    }

    // MARK: - Sessions

    @Test func aRestartedServerIsInitializedAgainAndTheCallRetried() async throws {
        let first = try await HTTPFixtureServer.start(HTTPFixtureServers.handshakeFastMCP)
        // Generous: the re-initialize meets a Python server that has just started, slow on a loaded two-core machine.
        let client = first.client(connectTimeoutSeconds: 30)
        defer { Task { await client.shutdown() } }
        _ = try await client.request(Self.toolsCall, params: Self.call("echo", #"{"text":"one"}"#), timeout: .seconds(10), progress: nil)
        let oldSession = try #require(client.sessionID)

        await first.stop()
        let second = try await HTTPFixtureServer.start(HTTPFixtureServers.handshakeFastMCP, port: first.port)
        defer { Task { await second.stop() } }
        let result = try await client.request(Self.toolsCall, params: Self.call("echo", #"{"text":"two"}"#), timeout: .seconds(10), progress: nil)

        #expect(try result.decoded()["content"]?.arrayValue?.first?["text"]?.stringValue == "two")
        let newSession = try #require(client.sessionID)
        #expect(newSession != oldSession)
        let lines = second.requestLines()
        #expect(lines.contains { $0.hasPrefix("POST initialize") })
        #expect(lines.contains { $0.hasPrefix("POST tools/call \(newSession)") })
    }

    @Test func anUnreachableServerFailsToConnect() async throws {
        // A refused connection fails at once; the generous limits only keep a loaded machine (two cores, parallel
        // tests starting Python servers) from turning the refusal into a timeout before it is read.
        let client = HTTPFixtureServer.client(url: "http://127.0.0.1:1/mcp", connectTimeoutSeconds: 60)
        defer { Task { await client.shutdown() } }
        do {
            try await client.start()
            Issue.record("start succeeded")
        } catch .connectFailed {
        } catch {
            Issue.record("unexpected error \(error)")
        }
        await #expect {
            _ = try await client.request("tools/list", params: nil, timeout: .seconds(60), progress: nil)
        } throws: { error in
            if case UpstreamError.connectFailed = error { return true }
            return false
        }
    }

    @Test func shutdownEndsTheSessionAndTheNotificationStream() async throws {
        let server = try await HTTPFixtureServers.shared.server(HTTPFixtureServers.handshakeFastMCP)
        let client = server.client()
        try await client.start()
        let session = try #require(client.sessionID)
        let collector = HTTPNotificationCollector(client.notifications)

        await client.shutdown()

        #expect(await server.waitForRequest { $0.hasPrefix("DELETE - \(session)") })
        for _ in 0..<50 where !collector.isFinished { try await Task.sleep(for: .milliseconds(20)) }
        #expect(collector.isFinished)
        await #expect(throws: UpstreamError.self) {
            _ = try await client.request("tools/list", params: nil, timeout: .seconds(2), progress: nil)
        }
    }

    // MARK: - Streams

    @Test(arguments: [HTTPFixtureServers.handshakeFastMCP, HTTPFixtureServers.dualEraSDK])
    func listChangedArrivesOnTheNotificationStream(options: HTTPFixtureServer.Options) async throws {
        let server = try await HTTPFixtureServers.shared.server(options)
        let client = server.client()
        try await withThrowingTaskGroup(of: Void.self) { group in
            // The notification stream is the client's run(), a child of its owner's task group.
            group.addTask { await client.run() }
            try await client.start()
            try await Self.expectListChanged(on: client, server: server, options: options)
            group.cancelAll()
        }
        await client.shutdown()
    }

    private static func expectListChanged(
        on client: HTTPUpstreamClient, server: HTTPFixtureServer, options: HTTPFixtureServer.Options
    ) async throws {
        let collector = HTTPNotificationCollector(client.notifications)
        #expect(try await touchUntilListChanged(client, collector: collector))
        if options.handshakeOnly {
            #expect(server.requestLines().contains { $0.hasPrefix("GET - \(client.sessionID ?? "?")") })
        } else {
            #expect(server.requestLines().contains { $0.hasPrefix("POST subscriptions/listen - 2026-07-28 subscriptions/listen") })
        }
    }

    /// Calls `touch` (which announces a list change) until the announcement reaches `collector`.
    private static func touchUntilListChanged(_ client: any UpstreamClient, collector: HTTPNotificationCollector) async throws -> Bool {
        // The stream opens in the client's run(); touch until an announcement gets through.
        for _ in 0..<20 {
            _ = try await client.request(Self.toolsCall, params: Self.call("touch"), timeout: .seconds(5), progress: nil)
            for _ in 0..<10 {
                try await Task.sleep(for: .milliseconds(50))
                if collector.methods.contains("notifications/tools/list_changed") { return true }
            }
        }
        return false
    }

    @Test func aPooledClientsNotificationStreamRunsUnderThePoolService() async throws {
        let fixture = try await HTTPFixtureServers.shared.server(HTTPFixtureServers.handshakeFastMCP)
        let pool = UpstreamPool(logger: StdioFixtures.logger) { _ in fixture.client() }
        let server = Server(name: "fixture", transport: .http, url: fixture.url, createdAt: Date(), updatedAt: Date())
        let (forwarded, sink) = AsyncStream.makeStream(of: UpstreamNotification.self)
        let collector = HTTPNotificationCollector(forwarded)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await pool.run() }
            group.addTask {
                for await item in pool.notifications { sink.yield(item.notification) }
                sink.finish()
            }
            let client = try await pool.client(for: server)
            #expect(try await Self.touchUntilListChanged(client, collector: collector))
            group.cancelAll()
        }
    }

    @Test func aResponseStreamClosedByTheServerIsResumedWithLastEventID() async throws {
        let server = try await HTTPFixtureServers.shared.server(HTTPFixtureServers.resumableFastMCP)
        let client = server.client()
        defer { Task { await client.shutdown() } }
        let updates = Mutex<[String]>([])

        let result = try await client.request(
            Self.toolsCall,
            params: Self.call("interrupted"),
            timeout: .seconds(10),
            progress: { params in updates.withLock { $0.append((try? params.decoded()["message"]?.stringValue) ?? "?") } }
        )

        #expect(try result.decoded()["content"]?.arrayValue?.first?["text"]?.stringValue == "resumed")
        #expect(updates.withLock { $0 } == ["before the break", "after the break"])
    }
}
