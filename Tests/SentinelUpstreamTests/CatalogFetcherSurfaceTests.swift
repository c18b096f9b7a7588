import Foundation
import SentinelCore
import SentinelUpstream
import Synchronization
import Testing

/// An upstream that answers every request from a closure of its method and params, and records them.
final class ScriptedListClient: UpstreamClient {
    let answer: @Sendable (String, RawJSON?) throws -> RawJSON
    let capabilities: ServerCapabilities?
    private let requests = Mutex<[(method: String, params: String?)]>([])

    init(capabilities: ServerCapabilities? = nil, answer: @escaping @Sendable (String, RawJSON?) throws -> RawJSON) {
        self.capabilities = capabilities
        self.answer = answer
    }

    /// The requests so far: method and params text.
    var received: [(method: String, params: String?)] { requests.withLock { $0 } }

    func start() async throws(UpstreamError) {}

    func request(_ method: String, params: RawJSON?, timeout: Duration, progress: (@Sendable (RawJSON) -> Void)?)
        async throws -> RawJSON
    {
        requests.withLock { $0.append((method, params?.text)) }
        return try answer(method, params)
    }

    var notifications: AsyncStream<UpstreamNotification> { AsyncStream { $0.finish() } }

    func shutdown() async {}

    static func json(_ text: String) -> RawJSON { RawJSON(Array(text.utf8)) }

    /// The `-32601` a server without the method answers.
    static func methodNotFound(_ method: String) -> UpstreamError {
        .rpc(code: -32601, message: "Method not found: \(method)", raw: json(#"{"code":-32601,"message":"Method not found"}"#))
    }
}

/// The page loop shared by every list, and the prompt, resource and template lists it reads.
@Suite("CatalogFetcher: prompts, resources, templates")
struct CatalogFetcherSurfaceTests {
    private let now = Date(timeIntervalSince1970: 1_750_000_000)

    /// 2026-07-28 pagination: "an empty string is a valid cursor and thus MUST NOT be treated as the end of results".
    @Test func anEmptyStringCursorIsSentBackAndOnlyAMissingOrNullOneEnds() async throws {
        let client = ScriptedListClient { method, params in
            #expect(method == "prompts/list")
            switch params?.text {
            case nil: return ScriptedListClient.json(#"{"prompts":[{"name":"one"}],"nextCursor":""}"#)
            case #"{"cursor":""}"#?: return ScriptedListClient.json(#"{"prompts":[{"name":"two"}],"nextCursor":"p3"}"#)
            case #"{"cursor":"p3"}"#?: return ScriptedListClient.json(#"{"prompts":[{"name":"three"}],"nextCursor":null}"#)
            default: throw UpstreamError.protocolViolation("unexpected params \(params?.text ?? "nil")")
            }
        }
        let listing = try await CatalogFetcher.listPrompts(using: client, server: "sdk", timeout: .seconds(1), now: now)
        #expect(listing.entries.map(\.name) == ["one", "two", "three"])
        #expect(listing.skipped == 0)
        #expect(client.received.map(\.params) == [nil, #"{"cursor":""}"#, #"{"cursor":"p3"}"#])
    }

    @Test func anEmptyStringCursorHandedOutTwiceIsALoop() async throws {
        let client = ScriptedListClient { _, _ in
            ScriptedListClient.json(#"{"resourceTemplates":[{"uriTemplate":"notes://{t}","name":"n"}],"nextCursor":""}"#)
        }
        let error = await #expect(throws: UpstreamError.self) {
            _ = try await CatalogFetcher.listResourceTemplates(using: client, server: "sdk", timeout: .seconds(1), now: now)
        }
        guard case .protocolViolation(let why)? = error else {
            Issue.record("expected a protocol violation, got \(String(describing: error))")
            return
        }
        #expect(why.contains("resources/templates/list") && why.contains(#""""#))
        #expect(client.received.count == 2)
    }

    @Test func aLoopThroughSeveralCursorsIsCaughtWhereItCloses() async throws {
        let client = ScriptedListClient { _, params in
            let next = params?.text == #"{"cursor":"a"}"# ? "b" : "a"
            return ScriptedListClient.json(#"{"resources":[],"nextCursor":"\#(next)"}"#)
        }
        await #expect(throws: UpstreamError.self) {
            _ = try await CatalogFetcher.listResources(using: client, server: "sdk", timeout: .seconds(1), now: now)
        }
        #expect(client.received.map(\.params) == [nil, #"{"cursor":"a"}"#, #"{"cursor":"b"}"#])
    }

    @Test func moreEntriesThanTheLimitIsAProtocolViolation() async throws {
        let page = #"{"prompts":["# + Array(repeating: "0", count: CatalogFetcher.maximumEntryCount + 1).joined(separator: ",") + "]}"
        let client = ScriptedListClient { _, _ in ScriptedListClient.json(page) }
        let error = await #expect(throws: UpstreamError.self) {
            _ = try await CatalogFetcher.listPrompts(using: client, server: "sdk", timeout: .seconds(1), now: now)
        }
        guard case .protocolViolation(let why)? = error else {
            Issue.record("expected a protocol violation, got \(String(describing: error))")
            return
        }
        #expect(why.contains("more than \(CatalogFetcher.maximumEntryCount)"))
    }

    @Test func aResultWithoutItsArrayIsAProtocolViolation() async throws {
        let client = ScriptedListClient { _, _ in ScriptedListClient.json(#"{"prompts":{}}"#) }
        let error = await #expect(throws: UpstreamError.self) {
            _ = try await CatalogFetcher.listPrompts(using: client, server: "sdk", timeout: .seconds(1), now: now)
        }
        guard case .protocolViolation(let why)? = error else {
            Issue.record("expected a protocol violation, got \(String(describing: error))")
            return
        }
        #expect(why.contains(#"no "prompts" array"#))
    }

    @Test func methodNotFoundPassesThroughForTheCallerToDecide() async throws {
        let client = ScriptedListClient { method, _ in throw ScriptedListClient.methodNotFound(method) }
        let error = await #expect(throws: UpstreamError.self) {
            _ = try await CatalogFetcher.listPrompts(using: client, server: "sdk", timeout: .seconds(1), now: now)
        }
        guard case .rpc(let code, _, _)? = error else {
            Issue.record("expected the upstream's error, got \(String(describing: error))")
            return
        }
        #expect(code == -32601)
    }

    @Test func promptsKeepTheirObjectsAndSkipNamelessRepeatedAndMalformedOnes() async throws {
        let review = #"{ "name":"review","title":"Review","arguments":[{"name":"code","required":true}],"_meta":{"x":1} }"#
        let client = ScriptedListClient { _, _ in
            ScriptedListClient.json(
                #"{"prompts":[\#(review),{"title":"nameless"},{"name":""},"junk",{"name":"review"},{"name":"a","name":"b"},{"name":"ok"}]}"#)
        }
        let listing = try await CatalogFetcher.listPrompts(using: client, server: "sdk", timeout: .seconds(1), now: now)
        #expect(listing.entries.map(\.name) == ["review", "ok"])
        #expect(listing.entries[0].definition == review.trimmingCharacters(in: .whitespaces))
        #expect(listing.entries[0].title == "Review")
        #expect(listing.entries.allSatisfy { $0.server == "sdk" && $0.discoveredAt == now })
        #expect(listing.skipped == 5)
    }

    @Test func resourcesSkipUnmappableAndRepeatedURIs() async throws {
        let client = ScriptedListClient { method, _ in
            #expect(method == "resources/list")
            return ScriptedListClient.json(
                #"{"resources":[{"uri":"file:///README.md","name":"readme","mimeType":"text/markdown"},"#
                    + #"{"uri":"no scheme here","name":"bad"},{"name":"no uri"},{"uri":"file:///README.md","name":"again"},"#
                    + #"{"uri":"ui://board/app.html","name":"board"}]}"#)
        }
        let listing = try await CatalogFetcher.listResources(using: client, server: "sdk", timeout: .seconds(1), now: now)
        #expect(listing.entries.map(\.uri) == ["file:///README.md", "ui://board/app.html"])
        #expect(listing.entries.map(\.mappedURI) == ["sdk+file:///README.md", "ui://sdk+board/app.html"])
        #expect(listing.entries[0].mimeType == "text/markdown")
        #expect(listing.skipped == 3)
    }

    @Test func templatesNeedALiteralScheme() async throws {
        let client = ScriptedListClient { method, _ in
            #expect(method == "resources/templates/list")
            return ScriptedListClient.json(
                #"{"resourceTemplates":[{"uriTemplate":"notes://{topic}","name":"note"},{"uriTemplate":"{scheme}://x","name":"bad"},"#
                    + #"{"uriTemplate":"notes://{topic}","name":"again"}]}"#)
        }
        let listing = try await CatalogFetcher.listResourceTemplates(using: client, server: "sdk", timeout: .seconds(1), now: now)
        #expect(listing.entries.map(\.uriTemplate) == ["notes://{topic}"])
        #expect(listing.entries[0].mappedTemplate == "sdk+notes://{topic}")
        #expect(listing.skipped == 2)
    }

    @Test func toolsCountWhatTheySkipToo() async throws {
        let client = ScriptedListClient { _, _ in ScriptedListClient.json(#"{"tools":[{"name":"a"},{"name":"a"},{"title":"x"}]}"#) }
        let listing = try await CatalogFetcher.listTools(using: client, server: "sdk", timeout: .seconds(1), now: now)
        #expect(listing.entries.map(\.name) == ["a"])
        #expect(listing.skipped == 2)
    }

    @Test func faultsAddUpPerServer() {
        let faults = UpstreamProtocolFaults()
        faults.record(server: "sdk", count: 3)
        faults.record(server: "sdk")
        faults.record(server: "sdk", count: 0)
        #expect(faults.count(server: "sdk") == 4)
        #expect(faults.all == ["sdk": 4])
    }
}
