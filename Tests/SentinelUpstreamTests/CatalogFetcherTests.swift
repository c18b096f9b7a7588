import Foundation
import SentinelCore
import SentinelUpstream
import Synchronization
import Testing

/// An upstream that answers `tools/list` from a closure of the request's params.
private struct ScriptedCatalogClient: UpstreamClient {
    let answer: @Sendable (RawJSON?) throws -> RawJSON

    func start() async throws(UpstreamError) {}

    func request(_ method: String, params: RawJSON?, timeout: Duration, progress: (@Sendable (RawJSON) -> Void)?)
        async throws -> RawJSON
    {
        #expect(method == "tools/list")
        return try answer(params)
    }

    var notifications: AsyncStream<UpstreamNotification> { AsyncStream { $0.finish() } }

    func shutdown() async {}
}

@Suite("CatalogFetcher")
struct CatalogFetcherTests {
    private let now = Date(timeIntervalSince1970: 1_750_000_000)

    private func list(_ answer: @escaping @Sendable (RawJSON?) throws -> RawJSON) async throws -> [Tool] {
        try await CatalogFetcher.listTools(
            using: ScriptedCatalogClient(answer: answer), server: "files", timeout: .seconds(1), now: now
        ).entries
    }

    @Test func listsEveryPageOfTheDemoServerKeepingSchemaBytes() async throws {
        let client = StdioFixtures.client(
            for: try StdioFixtures.demoServer(arguments: ["--page-size", "2", "--extra-tools", "5"]))
        try await client.start()
        let tools = try await CatalogFetcher.listTools(using: client, server: "demo", timeout: .seconds(5), now: now).entries
        #expect(
            tools.map(\.name) == [
                "echo", "add", "time", "slow", "fail", "crash", "hang",
                "tool_0001", "tool_0002", "tool_0003", "tool_0004", "tool_0005",
            ])
        #expect(tools.allSatisfy { $0.server == "demo" && $0.discoveredAt == now })

        // The first page, fetched raw: the catalog holds the very bytes the server sent.
        let page = try await client.request("tools/list", params: nil, timeout: .seconds(5), progress: nil).bytes
        let pageMembers = try JSONScanner.members(of: page)
        guard let toolsRange = pageMembers["tools"] else {
            Issue.record("the raw page has no tools")
            return
        }
        let pageTools = try JSONScanner.elements(of: page, in: toolsRange)
        let echo = try JSONScanner.members(of: page, in: pageTools[0])
        #expect(tools[0].inputSchema == String(decoding: page[try #require(echo["inputSchema"])], as: UTF8.self))
        #expect(tools[0].outputSchema == String(decoding: page[try #require(echo["outputSchema"])], as: UTF8.self))
        #expect(tools[0].annotations == String(decoding: page[try #require(echo["annotations"])], as: UTF8.self))
        #expect(tools[0].title == "Echo")
        #expect(tools[3].outputSchema == nil)
        await client.shutdown()
    }

    @Test func followsCursorsAndKeepsRawJSONText() async throws {
        let tools = try await list { params in
            if params == nil {
                return RawJSON(Array(#"{"tools":[{"name":"read","inputSchema":{ "type" : "object","x":1.50 }}],"nextCursor":"p2"}"#.utf8))
            }
            #expect(params?.text == #"{"cursor":"p2"}"#)
            return RawJSON(
                Array(
                    #"{"tools":[{"name":"write","title":"Write","description":"Writes.","annotations":{"destructiveHint":true},"outputSchema":null}],"nextCursor":null}"#
                        .utf8))
        }
        #expect(tools.map(\.name) == ["read", "write"])
        #expect(tools[0].inputSchema == #"{ "type" : "object","x":1.50 }"#)
        #expect(tools[1].inputSchema == #"{"type":"object"}"#)
        #expect(tools[1].title == "Write")
        #expect(tools[1].description == "Writes.")
        #expect(tools[1].annotations == #"{"destructiveHint":true}"#)
        #expect(tools[1].outputSchema == nil)
    }

    @Test func skipsEntriesWithoutAStringNameAndRepeatedNames() async throws {
        let tools = try await list { _ in
            RawJSON(Array(#"{"tools":[{"title":"nameless"},{"name":7},"junk",{"name":"ok"},{"name":"ok","title":"again"}]}"#.utf8))
        }
        #expect(tools.map(\.name) == ["ok"])
        #expect(tools[0].title == nil)
    }

    /// Issue 11, defect 6: the whole tool object is kept, byte for byte, for the listing.
    @Test func keepsEachToolsWholeObjectAndSkipsOneThatRepeatsAMember() async throws {
        let whole = #"{ "name":"app","_meta":{"ui":{"resourceUri":"ui://a"}},"icons":[],"execution":{"taskSupport":"optional"},"later":1e400 }"#
        let tools = try await list { _ in
            RawJSON(Array(("{\"tools\":[ " + whole + #" ,{"name":"evil","name":"app2"},{"name":"ok"}\#n ]}"#).utf8))
        }
        #expect(tools.map(\.name) == ["app", "ok"])
        #expect(tools[0].definition == whole)
        #expect(tools[1].definition == #"{"name":"ok"}"#)
    }

    @Test func rejectsAResultThatIsNotAnObject() async throws {
        let error = await #expect(throws: UpstreamError.self) {
            _ = try await list { _ in RawJSON(Array("[]".utf8)) }
        }
        guard case .protocolViolation? = error else {
            Issue.record("expected a protocol violation, got \(String(describing: error))")
            return
        }
    }

    @Test func rejectsACursorLoop() async throws {
        let calls = Mutex(0)
        let error = await #expect(throws: UpstreamError.self) {
            _ = try await list { _ in
                calls.withLock { $0 += 1 }
                return RawJSON(Array(#"{"tools":[],"nextCursor":"same"}"#.utf8))
            }
        }
        guard case .protocolViolation(let why)? = error else {
            Issue.record("expected a protocol violation, got \(String(describing: error))")
            return
        }
        #expect(why.contains("same"))
        #expect(calls.withLock { $0 } == 2)
    }

    @Test func upstreamErrorsPassThrough() async throws {
        let error = await #expect(throws: UpstreamError.self) {
            _ = try await list { _ in throw UpstreamError.timeout(.seconds(1)) }
        }
        guard case .timeout? = error else {
            Issue.record("expected the client's timeout, got \(String(describing: error))")
            return
        }
    }
}
