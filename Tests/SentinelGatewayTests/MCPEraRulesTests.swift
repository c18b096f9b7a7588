import HTTPTypes
import SentinelCore
import Testing
@testable import SentinelGateway

/// The rules of the request pipeline and the two protocol eras as the handler applies them (the pure rules are
/// unit-tested in SentinelCore's MCPRequestRulesTests; these are the ones that need a request, a session or a body).
struct MCPEraRulesTests {
    @Test func modernToolCallWithAMismatchedHeaderIs400AndAuditedAsDenied() async throws {
        let gateway = try await GatewayHarness.make()
        let reply = try await gateway.modernCall(
            "tools/call", params: ["name": .string(GatewayHarness.exposed("echo"))],
            headers: [.mcpName: GatewayHarness.exposed("slow")])
        #expect(reply.status == .badRequest)
        #expect(reply.errorCode == Int64(JSONRPCErrorCode.headerMismatch))
        let event = try #require(gateway.audit.onlyToolEvent)
        #expect(event.kind == .toolDenied)
        #expect(event.fields[.client] == "harness", "a refusal is audited with what the envelope said")
        #expect(event.fields[.protocolVersion] == MCPProtocol.modernVersion)
        #expect(gateway.upstreams.calls.isEmpty)
    }

    @Test func unknownMethodIs404InTheModernEraAnd200Before() async throws {
        let gateway = try await GatewayHarness.make()
        let modern = try await gateway.modernCall("resources/subscribe")
        #expect(modern.status == .notFound)
        #expect(modern.errorCode == Int64(JSONRPCErrorCode.methodNotFound))
        let handshake = try await gateway.call("resources/subscribe")
        #expect(handshake.status == .ok)
        #expect(handshake.errorCode == Int64(JSONRPCErrorCode.methodNotFound))
        let initialize = try await gateway.modernCall("initialize")
        #expect(initialize.status == .notFound, "2026-07-28 has no initialize")
        let listen = try await gateway.call("subscriptions/listen")
        #expect(listen.errorCode == Int64(JSONRPCErrorCode.methodNotFound), "the handshake era has no subscriptions/listen")
    }

    @Test func endedOrForgedSessionIs404SoTheClientInitializesAgain() async throws {
        let gateway = try await GatewayHarness.make()
        let initialized = try await gateway.call("initialize", params: ["protocolVersion": "2025-11-25"])
        let session = try #require(initialized.headers[.mcpSessionID])
        let used = try await gateway.call("ping", headers: [.mcpSessionID: session])
        #expect(used.status == .ok)
        let ended = try await gateway.send(.delete, headers: [.mcpSessionID: session])
        #expect(ended.status == .noContent)
        let after = try await gateway.callTool("echo", headers: [.mcpSessionID: session])
        #expect(after.status == .notFound)
        #expect(after.errorMessage.hasSuffix("send initialize to start a new session"))
        #expect(gateway.audit.onlyToolEvent?.fields[.outcome] == "denied", "a refused call is audited")
        let forged = try await gateway.call("ping", headers: [.mcpSessionID: "forged"])
        #expect(forged.status == .notFound)
        let modern = try await gateway.modernCall("ping", headers: [.mcpSessionID: "forged"])
        #expect(modern.status == .ok, "2026-07-28 requests are stateless: a session id on them is ignored")
    }

    @Test func sessionOfAnotherGrantIsRefused() async throws {
        let gateway = try await GatewayHarness.make()
        let initialized = try await gateway.call(
            "initialize", params: ["protocolVersion": "2025-11-25"], endpoint: "eng", headers: [.authorization: "Bearer token-ada"])
        let session = try #require(initialized.headers[.mcpSessionID])
        let stolen = try await gateway.call(
            "ping", endpoint: "eng", headers: [.authorization: "Bearer token-bob", .mcpSessionID: session])
        #expect(stolen.status == .notFound)
    }

    @Test func batchesAreServedIn20250326AndRefusedLater() async throws {
        let gateway = try await GatewayHarness.make()
        let batch = #"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":2,"method":"tools/list"}]"#
        let old = try await gateway.send(body: batch, headers: [.mcpProtocolVersion: "2025-03-26"])
        #expect(old.status == .ok)
        let answers = try #require(old.json.arrayValue)
        #expect(answers.map { $0["id"] } == [1, 2], "a notification gets no answer")
        let newer = try await gateway.send(body: batch, headers: [.mcpProtocolVersion: "2025-06-18"])
        #expect(newer.status == .badRequest)
        #expect(newer.errorMessage == "JSON-RPC batches are not supported in protocol version 2025-06-18")
    }

    @Test func bodyMustBeJSONAndWithinTheLimit() async throws {
        let gateway = try await GatewayHarness.make { $0.maxRequestBytes = 256 }
        let form = try await gateway.send(
            body: #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"files__echo"}}"#,
            headers: [.contentType: "application/x-www-form-urlencoded"])
        #expect(form.status == .unsupportedMediaType)
        #expect(gateway.audit.onlyToolEvent?.fields[.outcome] == "denied", "a call sent as a form is audited as refused")
        let big = try await gateway.call("ping", params: ["padding": .string(String(repeating: "x", count: 300))])
        #expect(big.status == .contentTooLarge)
        let charset = try await gateway.send(
            body: #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, headers: [.contentType: "Application/JSON; charset=utf-8"])
        #expect(charset.status == .ok)
        let garbage = try await gateway.send(body: "{nope")
        #expect(garbage.status == .badRequest)
        #expect(garbage.errorCode == Int64(JSONRPCErrorCode.parseError))
    }

    @Test func getStreamIsForTheHandshakeEraOnly() async throws {
        let gateway = try await GatewayHarness.make()
        let modern = try await gateway.send(.get, headers: [.mcpProtocolVersion: MCPProtocol.modernVersion, .accept: "text/event-stream"])
        #expect(modern.status == .methodNotAllowed)
        #expect(modern.headers[.allow] == "POST")
        let noAccept = try await gateway.send(.get)
        #expect(noAccept.status == .notAcceptable)
    }

    @Test func clientResponsesAndNotificationsAreAccepted() async throws {
        let gateway = try await GatewayHarness.make()
        let response = try await gateway.send(body: #"{"jsonrpc":"2.0","id":9,"result":{}}"#)
        #expect(response.status == .accepted)
        let notification = try await gateway.send(body: #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        #expect(notification.status == .accepted)
        #expect(notification.bytes.isEmpty)
    }
}
