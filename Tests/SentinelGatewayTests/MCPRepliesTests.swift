import Foundation
import HTTPTypes
import Hummingbird
import SentinelCore
import Testing
@testable import SentinelGateway

/// Every result Sentinel sends carries, in 2026-07-28, `resultType` and `_meta` serverInfo naming the endpoint (the SDK
/// rejects a result without them), and in the handshake era neither (nor an upstream's serverInfo).
struct MCPRepliesTests {
    /// A result as the modern era must have it.
    static func expectModern(_ reply: TestReply, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let result = reply.result
        #expect(result?["resultType"] == "complete", "\(what): resultType", sourceLocation: sourceLocation)
        let info = result?["_meta"]?[MCPProtocol.serverInfoKey]
        #expect(info?["name"] == "sentinel/open", "\(what): serverInfo names the endpoint", sourceLocation: sourceLocation)
        #expect(info?["version"] == "9.9.9-test", "\(what)", sourceLocation: sourceLocation)
    }

    /// A result as the handshake era must have it.
    static func expectHandshake(_ reply: TestReply, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let result = reply.result
        #expect(result != nil, "\(what): a result", sourceLocation: sourceLocation)
        #expect(result?["resultType"] == nil, "\(what): no resultType", sourceLocation: sourceLocation)
        #expect(result?["_meta"]?[MCPProtocol.serverInfoKey] == nil, "\(what): no serverInfo in _meta", sourceLocation: sourceLocation)
    }

    static let echo: JSONValue = ["name": .string(GatewayHarness.exposed("echo")), "arguments": ["a": 1]]

    @Test func ownResultsCarryTheModernMembersOnlyInTheModernEra() async throws {
        let gateway = try await GatewayHarness.make()
        for method in ["ping", "server/discover", "tools/list"] {
            Self.expectModern(try await gateway.modernCall(method), method)
            Self.expectHandshake(try await gateway.call(method), method)
        }
        Self.expectHandshake(try await gateway.call("initialize", params: ["protocolVersion": "2025-11-25"]), "initialize")
        Self.expectHandshake(try await gateway.call("logging/setLevel", params: ["level": "info"]), "logging/setLevel")
    }

    @Test func listsSayTheyMustNotBeCachedInTheModernEra() async throws {
        let gateway = try await GatewayHarness.make()
        let list = try await gateway.modernCall("tools/list")
        #expect(list.result?["ttlMs"] == 0)
        #expect(list.result?["cacheScope"] == "private")
        let discover = try await gateway.modernCall("server/discover")
        #expect(discover.result?["ttlMs"] == 0)
        #expect(discover.result?["cacheScope"] == "public")
        #expect(discover.result?["serverInfo"]?["name"] == "sentinel/open")
        let old = try await gateway.call("tools/list")
        #expect(old.result?["ttlMs"] == nil)
        #expect(old.result?["cacheScope"] == nil)
    }

    @Test func upstreamResultsNameTheEndpointNotTheUpstream() async throws {
        let gateway = try await GatewayHarness.make()
        let modern = try await gateway.modernCall("tools/call", params: Self.echo)
        Self.expectModern(modern, "tools/call")
        #expect(modern.result?["content"]?.arrayValue?.count == 1, "the rest passes through")
        let handshake = try await gateway.call("tools/call", params: Self.echo)
        Self.expectHandshake(handshake, "tools/call")
        #expect(handshake.result?["content"]?.arrayValue?.count == 1)
    }

    /// A client that declared no URL-mode elicitation (`MCPConnectPromptTests` has the others).
    @Test func credentialRequiredIsAToolErrorInBothEras() async throws {
        let gateway = try await GatewayHarness.make()
        let message = "Connect your files account at https://gw.example.org/connect/files, then retry."
        gateway.upstreams.requireCredential(message)
        let modern = try await gateway.modernCall("tools/call", params: Self.echo)
        Self.expectModern(modern, "credential required")
        let handshake = try await gateway.call("tools/call", params: Self.echo)
        Self.expectHandshake(handshake, "credential required")
        for reply in [modern, handshake] {
            #expect(reply.status == .ok)
            #expect(reply.result?["isError"] == true)
            #expect(reply.result?["content"]?.arrayValue?.first?["text"]?.stringValue == message)
        }
        #expect(gateway.audit.events.map { $0.fields[.outcome] } == ["error", "error"])
        #expect(gateway.audit.events.first?.fields[.detail] == message)
    }

    @Test func errorsCarryNoResultMembersInEitherEra() async throws {
        let gateway = try await GatewayHarness.make()
        let failed = try await gateway.modernCall("tools/call", params: ["name": .string(GatewayHarness.exposed("fail"))])
        #expect(failed.json["result"] == nil)
        #expect(failed.json["error"]?["resultType"] == nil)
        let timedOut = try await gateway.modernCall("tools/call", params: ["name": .string(GatewayHarness.exposed("late"))])
        #expect(timedOut.errorCode == Int64(JSONRPCErrorCode.requestTimeout))
        #expect(timedOut.json["result"] == nil)
    }

    @Test func toolErrorIsBuiltFromMembersForEachEra() throws {
        let endpoint = Endpoint(name: "open", createdAt: .now, updatedAt: .now)
        let modern = MCPReplies(era: .modern, endpoint: endpoint, version: "1").toolError(id: RawJSON(Array("3".utf8)), "no")
        let decoded = try modern.decoded()
        #expect(decoded["result"]?["resultType"] == "complete")
        #expect(decoded["result"]?["isError"] == true)
        #expect(decoded["result"]?["_meta"]?[MCPProtocol.serverInfoKey]?["title"] == "Sentinel: open")
        let handshake = try MCPReplies(era: .handshake, endpoint: endpoint, version: "1").toolError(id: RawJSON(Array("3".utf8)), "no").decoded()
        #expect(handshake == ["jsonrpc": "2.0", "id": 3, "result": ["content": [["type": "text", "text": "no"]], "isError": true]])
    }

    /// `listResponse` writes a list straight into the body; it must send the very bytes `resultResponse` builds.
    @Test(arguments: [MCPExchange.Era.handshake, .modern])
    func aListWrittenIntoTheBodyIsTheResultBuiltFromMembers(era: MCPExchange.Era) async throws {
        let replies = MCPReplies(era: era, endpoint: Endpoint(name: "open", auth: .none, createdAt: Date(), updatedAt: Date()), version: "9.9.9-test")
        let elements = [#"{"name":"a"}"#, #"{"name":"b","x":[1,2]}"#].map { RawJSON(Array($0.utf8)) }
        for (count, trailing) in [(2, [(String, RawJSON)]()), (1, [("nextCursor", RawJSON(string: "o:1"))]), (0, MCPReplies.cacheMembers(scope: .private))] {
            let listed = RawJSON(Array(("[" + elements.prefix(count).map(\.text).joined(separator: ",") + "]").utf8))
            let expected = try await Self.body(replies.resultResponse(id: RawJSON(Array("7".utf8)), [("tools", listed)] + trailing))
            let written = try await Self.body(replies.listResponse(id: RawJSON(Array("7".utf8)), "tools", elements: elements.prefix(count), then: trailing))
            #expect(String(decoding: written, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        }
    }

    static func body(_ response: Response) async throws -> [UInt8] {
        let collector = ByteCollector()
        try await response.body.write(collector)
        return collector.bytes
    }
}
