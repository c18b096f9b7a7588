import HTTPTypes
import NIOCore
import NIOEmbedded
import SentinelCore
import Testing
@testable import SentinelGateway

/// `tools/call`: what reaches the upstream, how each ending is answered and audited, the concurrency limits,
/// cancellation and the timeout.
struct MCPToolCallTests {
    static let ada: HTTPFields = [.authorization: "Bearer token-ada"]
    static let bob: HTTPFields = [.authorization: "Bearer token-bob"]
    static let cyd: HTTPFields = [.authorization: "Bearer token-cyd"]

    @Test func servedCallIsAuditedWithWhoWhatAndHowMuch() async throws {
        let gateway = try await GatewayHarness.make()
        let initialized = try await gateway.call(
            "initialize", params: ["protocolVersion": "2025-06-18", "clientInfo": ["name": "claude-code", "version": "2.1"]],
            endpoint: "eng", headers: Self.ada)
        let session = try #require(initialized.headers[.mcpSessionID])
        var headers = Self.ada
        headers[.mcpSessionID] = session
        let reply = try await gateway.callTool("echo", arguments: ["path": "/etc/motd"], id: 7, endpoint: "eng", headers: headers)
        #expect(reply.status == .ok)
        #expect(reply.json["id"] == 7)
        #expect(reply.result?["content"]?.arrayValue?.first?["text"]?.stringValue == #"{"path":"/etc/motd"}"#)
        let call = try #require(gateway.upstreams.calls.first)
        #expect(call.tool == "echo", "the upstream gets its own tool name, not the exposed one")
        #expect(call.user == "ada", "the call carries the caller's identity for a personal credential")
        #expect(call.timeout == .seconds(GatewayHarness.callTimeoutSeconds))

        let event = try #require(gateway.audit.onlyToolEvent)
        #expect(event.kind == .toolCall)
        let fields = event.fields
        #expect(fields[.endpoint] == "eng")
        #expect(fields[.exposedName] == GatewayHarness.exposed("echo"))
        #expect(fields[.server] == GatewayHarness.server)
        #expect(fields[.tool] == "echo")
        #expect(fields[.outcome] == "ok")
        #expect(fields[.user] == "ada")
        #expect(fields[.grant] == "g-ada")
        #expect(fields[.clientID] == "client-ada")
        #expect(fields[.client] == "claude-code", "the session remembers who initialized it")
        #expect(fields[.clientVersion] == "2.1")
        #expect(fields[.protocolVersion] == "2025-06-18")
        #expect(fields[.session] == session)
        #expect(fields[.requestBytes] == String(#"{"path":"/etc/motd"}"#.utf8.count))
        #expect(Int(fields[.responseBytes] ?? "") ?? 0 > 0)
        #expect(Int(fields[.durationMicroseconds] ?? "") != nil)
        #expect(fields[.arguments] == #"{"path":"/etc/motd"}"#, "the endpoint captures payloads")
        #expect(fields[.result]?.contains("content") == true)
        #expect(fields[.detail] == nil)
    }

    @Test func unknownAndDisabledToolsAreInvalidParamsAndAuditedAsDenied() async throws {
        let gateway = try await GatewayHarness.make()
        let disabled = try await gateway.callTool("secret")
        #expect(disabled.errorCode == Int64(JSONRPCErrorCode.invalidParams))
        #expect(disabled.errorMessage == "Unknown tool: \(GatewayHarness.exposed("secret"))")
        let unknown = try await gateway.call("tools/call", params: ["name": "nothing__here"])
        #expect(unknown.errorCode == Int64(JSONRPCErrorCode.invalidParams))
        let events = gateway.audit.events
        #expect(events.map(\.kind) == [.toolDenied, .toolDenied])
        #expect(events.map { $0.fields[.outcome] } == ["denied", "denied"])
        #expect(events.map { $0.fields[.detail] } == ["tool is disabled on this endpoint", "no such tool on this endpoint"])
        #expect(events[0].fields[.tool] == "secret")
        #expect(gateway.upstreams.calls.isEmpty)
    }

    @Test func upstreamErrorPassesThroughAndIsAuditedAsError() async throws {
        let gateway = try await GatewayHarness.make()
        let reply = try await gateway.callTool("fail")
        #expect(reply.status == .ok)
        #expect(reply.errorCode == -32000)
        #expect(reply.errorMessage == "the disk is full", "upstream errors keep their message")
        let event = try #require(gateway.audit.onlyToolEvent)
        #expect(event.fields[.outcome] == "error")
        #expect(event.fields[.detail] == "the disk is full")
    }

    @Test func timeoutIsTheServersLimitAndAnsweredAndAuditedAsTimeout() async throws {
        let gateway = try await GatewayHarness.make()
        let reply = try await gateway.callTool("late")
        #expect(gateway.upstreams.calls.first?.timeout == .seconds(GatewayHarness.callTimeoutSeconds))
        #expect(reply.errorCode == Int64(JSONRPCErrorCode.requestTimeout))
        #expect(reply.errorMessage == "server files did not answer within \(GatewayHarness.callTimeoutSeconds) s")
        let event = try #require(gateway.audit.onlyToolEvent)
        #expect(event.kind == .toolCall)
        #expect(event.fields[.outcome] == "timeout")
    }

    @Test func malformedArgumentsAreRefusedAndAudited() async throws {
        let gateway = try await GatewayHarness.make()
        let reply = try await gateway.call("tools/call", params: ["name": .string(GatewayHarness.exposed("echo")), "arguments": [1, 2]])
        #expect(reply.errorCode == Int64(JSONRPCErrorCode.invalidParams))
        #expect(gateway.audit.onlyToolEvent?.fields[.detail] == "params.arguments must be an object")
        #expect(gateway.upstreams.calls.isEmpty)
    }

    // MARK: - Concurrency limits

    @Test func callerBeyondItsShareIs429AndAuditedAsThrottled() async throws {
        let gateway = try await GatewayHarness.make {
            $0.maxConcurrentCallsPerEndpoint = 3
            $0.maxConcurrentCallsPerCaller = 1
        }
        try await withThrowingTaskGroup(of: TestReply.self) { group in
            group.addTask { try await gateway.callTool("slow", id: 1, endpoint: "eng", headers: Self.ada) }
            await gateway.upstreams.waitForSlowCalls(1)
            let second = try await gateway.callTool("echo", id: 2, endpoint: "eng", headers: Self.ada)
            #expect(second.status == .tooManyRequests)
            #expect(second.headers[.retryAfter] == "1")
            #expect(second.errorCode == Int64(JSONRPCErrorCode.callLimitReached), "its own code, not an internal error")
            #expect(second.errorMessage.contains("this caller is running its maximum of 1 concurrent calls"))
            let other = try await gateway.callTool("echo", id: 3, endpoint: "eng", headers: Self.bob)
            #expect(other.status == .ok, "another caller still gets in")
            gateway.upstreams.releaseSlowCalls()
            let first = try await group.next()
            #expect(first?.status == .ok)
        }
        let throttled = gateway.audit.events.filter { $0.fields[.outcome] == "throttled" }
        #expect(throttled.count == 1)
        #expect(throttled.first?.kind == .toolDenied)
        #expect(throttled.first?.fields[.reason] == "caller-limit")
        #expect(throttled.first?.fields[.user] == "ada")
        let after = try await gateway.callTool("echo", id: 4, endpoint: "eng", headers: Self.ada)
        #expect(after.status == .ok, "a finished call gives its slot back")
    }

    @Test func fullEndpointIs429ForEveryoneAndAuditedAsThrottled() async throws {
        let gateway = try await GatewayHarness.make {
            $0.maxConcurrentCallsPerEndpoint = 2
            $0.maxConcurrentCallsPerCaller = 2
        }
        try await withThrowingTaskGroup(of: TestReply.self) { group in
            group.addTask { try await gateway.callTool("slow", id: 1, endpoint: "eng", headers: Self.ada) }
            group.addTask { try await gateway.callTool("slow", id: 2, endpoint: "eng", headers: Self.bob) }
            await gateway.upstreams.waitForSlowCalls(2)
            let third = try await gateway.callTool("echo", id: 3, endpoint: "eng", headers: Self.cyd)
            #expect(third.status == .tooManyRequests)
            #expect(third.errorMessage == "endpoint eng is running its maximum of 2 concurrent calls; retry shortly")
            let elsewhere = try await gateway.callTool("echo", id: 4, endpoint: "open")
            #expect(elsewhere.status == .ok, "the limit is per endpoint")
            gateway.upstreams.releaseSlowCalls()
            for try await reply in group { #expect(reply.status == .ok) }
        }
        let throttled = gateway.audit.events.filter { $0.fields[.outcome] == "throttled" }
        #expect(throttled.map { $0.fields[.reason] } == ["endpoint-limit"])
        #expect(throttled.first?.fields[.user] == "cyd")
    }

    // MARK: - Cancellation

    @Test func notificationsCancelledStopsTheUpstreamCallAndIsAuditedAsCancelled() async throws {
        let gateway = try await GatewayHarness.make()
        try await withThrowingTaskGroup(of: TestReply.self) { group in
            group.addTask { try await gateway.callTool("slow", id: 41, endpoint: "eng", headers: Self.ada) }
            await gateway.upstreams.waitForSlowCalls(1)
            // Another caller's notification for the same request id must not cancel ada's call.
            let foreign = try await gateway.send(
                endpoint: "eng", body: #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":41}}"#,
                headers: Self.bob)
            #expect(foreign.status == .accepted)
            #expect(gateway.upstreams.cancelledCalls == 0)
            let accepted = try await gateway.send(
                endpoint: "eng", body: #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":41}}"#,
                headers: Self.ada)
            #expect(accepted.status == .accepted)
            let reply = try #require(try await group.next())
            #expect(reply.errorCode == Int64(JSONRPCErrorCode.requestCancelled))
            #expect(reply.json["id"] == 41)
        }
        #expect(gateway.upstreams.cancelledCalls == 1, "the upstream call itself was cancelled")
        let event = try #require(gateway.audit.onlyToolEvent)
        #expect(event.fields[.outcome] == "cancelled")
        #expect(event.fields[.detail] == "cancelled by the client")
    }

    @Test func closingTheConnectionCancelsTheCall() async throws {
        let gateway = try await GatewayHarness.make()
        let connection = NIOAsyncTestingChannel()
        try await withThrowingTaskGroup(of: TestReply.self) { group in
            group.addTask { try await gateway.callTool("slow", id: 5, channel: connection) }
            await gateway.upstreams.waitForSlowCalls(1)
            try await connection.close()
            let reply = try #require(try await group.next())
            #expect(reply.errorCode == Int64(JSONRPCErrorCode.requestCancelled))
        }
        #expect(gateway.upstreams.cancelledCalls == 1)
        #expect(gateway.audit.onlyToolEvent?.fields[.outcome] == "cancelled")
    }
}
