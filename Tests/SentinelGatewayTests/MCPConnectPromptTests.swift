import HTTPTypes
import SentinelCore
import Testing
@testable import SentinelGateway

/// A call whose personal credential is missing or refused: a readable tool error for every client, and the spec's
/// URL-mode elicitation of the credentials page for clients that declared it: error -32042 in the handshake era (the
/// capability kept with the session from `initialize`), an `input_required` result in 2026-07-28 (the capability in the
/// request's `_meta`), never -32042 there.
struct MCPConnectPromptTests {
    static let page = "https://gw.example.org/oauth/credentials#server-files"
    static let message = "Server files needs your own credentials. Connect it at https://gw.example.org/oauth/credentials, then try again."
    static let echo: JSONValue = ["name": .string(GatewayHarness.exposed("echo")), "arguments": ["a": 1]]
    static let urlMode: JSONValue = ["elicitation": ["form": [:], "url": [:]]]
    static let formOnly: JSONValue = ["elicitation": [:]]

    static func gatewayNeedingCredential(connectURL: String? = page) async throws -> GatewayHarness {
        let gateway = try await GatewayHarness.make()
        gateway.upstreams.requireCredential(message, connectURL: connectURL)
        return gateway
    }

    /// A handshake-era session on `open` of `version` whose `initialize` declared `capabilities`.
    static func session(_ gateway: GatewayHarness, capabilities: JSONValue, version: String = "2025-11-25") async throws -> HTTPFields {
        let initialized = try await gateway.call(
            "initialize", params: ["protocolVersion": .string(version), "capabilities": capabilities, "clientInfo": ["name": "t", "version": "1"]])
        return [.mcpSessionID: try #require(initialized.headers[.mcpSessionID])]
    }

    static func expectToolError(_ reply: TestReply, modern: Bool, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(reply.status == .ok, sourceLocation: sourceLocation)
        #expect(reply.json["error"] == nil, "\(reply.text)", sourceLocation: sourceLocation)
        #expect(reply.result?["isError"] == true, sourceLocation: sourceLocation)
        #expect(reply.result?["content"]?.arrayValue?.first?["text"]?.stringValue == message, sourceLocation: sourceLocation)
        #expect(reply.result?["resultType"] == (modern ? "complete" : nil), sourceLocation: sourceLocation)
    }

    @Test func aHandshakeClientThatDeclaredURLElicitationGetsErrorURLElicitationRequired() async throws {
        let gateway = try await Self.gatewayNeedingCredential()
        let session = try await Self.session(gateway, capabilities: Self.urlMode)
        let reply = try await gateway.call("tools/call", params: Self.echo, headers: session)
        #expect(reply.status == .ok)
        #expect(reply.json["result"] == nil)
        #expect(reply.errorCode == Int64(JSONRPCErrorCode.urlElicitationRequired))
        #expect(reply.errorMessage == Self.message, "the error's message is readable on its own")
        let elicitations = try #require(reply.json["error"]?["data"]?["elicitations"]?.arrayValue)
        #expect(elicitations.count == 1)
        let elicitation = elicitations[0]
        #expect(elicitation["mode"] == "url")
        #expect(elicitation["url"]?.stringValue == Self.page)
        #expect(elicitation["message"]?.stringValue == Self.message)
        let first = try #require(elicitation["elicitationId"]?.stringValue)
        #expect(first.count >= 16, "an unguessable id, as 2025-11-25 requires one")
        let again = try await gateway.call("tools/call", id: 2, params: Self.echo, headers: session)
        #expect(again.json["error"]?["data"]?["elicitations"]?.arrayValue?.first?["elicitationId"]?.stringValue != first, "unique per elicitation")
        let event = try #require(gateway.audit.events.first)
        #expect(event.fields[.outcome] == "error")
        #expect(event.fields[.detail] == Self.message + " (the client was asked to open the page)")
    }

    @Test func aHandshakeClientWithoutURLElicitationOrSessionGetsTheReadableToolError() async throws {
        let gateway = try await Self.gatewayNeedingCredential()
        let formOnly = try await Self.session(gateway, capabilities: Self.formOnly)
        Self.expectToolError(try await gateway.call("tools/call", params: Self.echo, headers: formOnly), modern: false)
        let none = try await Self.session(gateway, capabilities: [:])
        Self.expectToolError(try await gateway.call("tools/call", params: Self.echo, headers: none), modern: false)
        // URL mode and -32042 came with 2025-11-25: an older session cannot have declared them.
        let older = try await Self.session(gateway, capabilities: Self.urlMode, version: "2025-06-18")
        Self.expectToolError(try await gateway.call("tools/call", params: Self.echo, headers: older), modern: false)
        // A client that does not echo Mcp-Session-Id (claude.ai) has declared nothing this request can show.
        _ = try await Self.session(gateway, capabilities: Self.urlMode)
        Self.expectToolError(try await gateway.call("tools/call", params: Self.echo), modern: false)
        #expect(gateway.audit.events.allSatisfy { $0.fields[.detail] == Self.message })
    }

    @Test func aModernClientThatDeclaredURLElicitationGetsInputRequiredNeverTheError() async throws {
        let gateway = try await Self.gatewayNeedingCredential()
        let reply = try await gateway.modernCall("tools/call", params: Self.echo, capabilities: Self.urlMode)
        #expect(reply.status == .ok)
        #expect(reply.json["error"] == nil, "no -32042 in 2026-07-28: \(reply.text)")
        let result = try #require(reply.result)
        #expect(result["resultType"] == "input_required")
        #expect(result["_meta"]?[MCPProtocol.serverInfoKey]?["name"] == "sentinel/open")
        #expect(result["requestState"] == nil, "the retry is a new call: no state to protect")
        #expect(result["content"] == nil && result["isError"] == nil)
        let requests = try #require(result["inputRequests"]?.objectValue)
        #expect(Array(requests.keys) == ["connect-files"])
        let request = try #require(requests["connect-files"])
        #expect(request["method"] == "elicitation/create")
        #expect(request["params"] == ["mode": "url", "url": .string(Self.page), "message": .string(Self.message)],
                "2026-07-28 URL elicitations have no elicitationId")
    }

    @Test func aModernRetryAnsweringThePromptIsANewCallAndStillMissingGetsTheToolError() async throws {
        let gateway = try await Self.gatewayNeedingCredential()
        var params = Self.echo.objectValue ?? [:]
        params["inputResponses"] = ["connect-files": ["action": "accept"]]
        let retried = try await gateway.modernCall("tools/call", id: 2, params: .object(params), capabilities: Self.urlMode)
        Self.expectToolError(retried, modern: true)
        // Connected meanwhile: the retry is served like any call, and neither inputResponses nor requestState
        // reaches the upstream.
        gateway.upstreams.requireCredential(nil)
        params["requestState"] = "forged-or-stale"
        let served = try await gateway.modernCall("tools/call", id: 3, params: .object(params), capabilities: Self.urlMode)
        #expect(served.result?["resultType"] == "complete")
        #expect(served.result?["isError"] == nil)
        let upstream = try #require(gateway.upstreams.calls.last?.params.objectValue)
        #expect(upstream["inputResponses"] == nil && upstream["requestState"] == nil)
        // An answer to another prompt does not count as answering this one.
        gateway.upstreams.requireCredential(Self.message, connectURL: Self.page)
        params["inputResponses"] = ["connect-other": ["action": "accept"]]
        let other = try await gateway.modernCall("tools/call", id: 4, params: .object(params), capabilities: Self.urlMode)
        #expect(other.result?["resultType"] == "input_required")
    }

    @Test func aModernClientWithoutURLElicitationGetsTheReadableToolError() async throws {
        let gateway = try await Self.gatewayNeedingCredential()
        Self.expectToolError(try await gateway.modernCall("tools/call", params: Self.echo, capabilities: Self.formOnly), modern: true)
        Self.expectToolError(try await gateway.modernCall("tools/call", params: Self.echo), modern: true)
        Self.expectToolError(
            try await gateway.modernCall("tools/call", params: Self.echo, capabilities: ["elicitation": ["url": true]]), modern: true)
    }

    @Test func aCredentialOnlyAnAdministratorCanConnectIsAlwaysTheToolError() async throws {
        let gateway = try await Self.gatewayNeedingCredential(connectURL: nil)
        let session = try await Self.session(gateway, capabilities: Self.urlMode)
        Self.expectToolError(try await gateway.call("tools/call", params: Self.echo, headers: session), modern: false)
        Self.expectToolError(try await gateway.modernCall("tools/call", params: Self.echo, capabilities: Self.urlMode), modern: true)
    }

    @Test(arguments: [
        (false, false, false, MCPConnectPrompt.toolError), (false, true, false, .urlElicitationRequired),
        (true, true, false, .inputRequired), (true, true, true, .toolError), (true, false, false, .toolError),
    ])
    func thePromptDependsOnTheEraTheCapabilityAndWhetherItWasAnswered(
        modern: Bool, url: Bool, answered: Bool, expected: MCPConnectPrompt
    ) {
        let capabilities = MCPClientCapabilities(urlElicitation: url)
        #expect(MCPConnectPrompt.choose(modern: modern, capabilities: capabilities, hasURL: true, answered: answered) == expected)
        #expect(MCPConnectPrompt.choose(modern: modern, capabilities: capabilities, hasURL: false, answered: answered) == .toolError)
    }

    @Test func upstreamErrorsInTheRangeMCPReservesAreReportedAsTheUpstreamsFault() async throws {
        let gateway = try await GatewayHarness.make()
        for code in [-32020, -32022, -32042, -32099] {
            let reply = try await gateway.modernCall(
                "tools/call", params: ["name": .string(GatewayHarness.exposed("fail")), "arguments": ["code": .int(Int64(code))]])
            #expect(reply.errorCode == Int64(JSONRPCErrorCode.upstreamUnavailable), "\(code)")
            #expect(reply.errorMessage == "server files: the server answered with error \(code): the disk is full")
        }
        for code in [-32000, -32019, -32100, -32602] {
            let reply = try await gateway.call(
                "tools/call", params: ["name": .string(GatewayHarness.exposed("fail")), "arguments": ["code": .int(Int64(code))]])
            #expect(reply.errorCode == Int64(code), "an upstream's own code outside the reserved range passes through")
        }
    }
}
