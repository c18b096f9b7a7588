import HTTPTypes
import NIOCore
import NIOEmbedded
import SentinelCore
import Testing
@testable import SentinelGateway

/// What an endpoint declares it announces, and which notices reach which stream.
struct MCPNotificationsTests {
    @Test func everyListIsDeclaredWithItsChangesAndNoSubscriptions() async throws {
        let gateway = try await GatewayHarness.make()
        let initialized = try await gateway.call("initialize", params: ["protocolVersion": "2025-11-25", "capabilities": [:]])
        let discovered = try await gateway.modernCall("server/discover")
        for reply in [initialized, discovered] {
            let capabilities = try #require(reply.result?["capabilities"])
            #expect(capabilities["tools"] == ["listChanged": true])
            #expect(capabilities["prompts"] == ["listChanged": true])
            #expect(capabilities["resources"] == ["listChanged": true], "no subscribe: resource subscriptions are not served")
            #expect(capabilities["completions"] == [:])
        }
    }

    @Test func resourceSubscriptionsAreNotAMethodYet() async throws {
        let gateway = try await GatewayHarness.make()
        for method in ["resources/subscribe", "resources/unsubscribe"] {
            let reply = try await gateway.call(method, params: ["uri": "files+file:///x"])
            #expect(reply.errorCode == Int64(JSONRPCErrorCode.methodNotFound), "\(method)")
        }
    }

    @Test func hubDeliversANoticeOnlyToStreamsThatWantIt() async throws {
        let hub = NotificationHub()
        let tools = hub.listen(endpoint: "eng") { $0 == .listChanged(.tools) }
        let all = hub.listen(endpoint: "eng")
        #expect(hub.publish(endpoint: "eng", .listChanged(.prompts)) == 1)
        #expect(hub.publish(endpoint: "eng", .listChanged(.tools)) == 2)
        #expect(hub.publish(endpoint: "other", .listChanged(.tools)) == 0)
        hub.closeAll()
        var heard: [EndpointNotice] = []
        for await notice in tools.stream { heard.append(notice) }
        #expect(heard == [.listChanged(.tools)])
        heard = []
        for await notice in all.stream { heard.append(notice) }
        #expect(heard == [.listChanged(.prompts), .listChanged(.tools)])
    }

    /// Opens a stream with `open`, publishes `notices` once it listens, and returns what the stream sent by the time
    /// its connection closed.
    static func streamed(
        _ gateway: GatewayHarness, notices: [EndpointNotice], open: @escaping @Sendable (any Channel) async throws -> TestReply
    ) async throws -> String {
        let connection = NIOAsyncTestingChannel()
        return try await withThrowingTaskGroup(of: TestReply?.self) { group in
            group.addTask { try await open(connection) }
            group.addTask {
                while gateway.handler.hub.listenerCount(endpoint: "open") == 0 { try await Task.sleep(for: .milliseconds(5)) }
                for notice in notices { gateway.handler.hub.publish(endpoint: "open", notice) }
                try await Task.sleep(for: .milliseconds(200))
                try await connection.close()
                return nil
            }
            var text = ""
            for try await reply in group { if let reply { text = reply.text } }
            return text
        }
    }

    @Test func listenAcknowledgesAndSendsOnlyTheListsItAskedFor() async throws {
        let gateway = try await GatewayHarness.make()
        let text = try await Self.streamed(gateway, notices: [.listChanged(.tools), .listChanged(.prompts), .listChanged(.resources)]) {
            connection in
            let params: JSONValue = [
                "notifications": ["promptsListChanged": true, "resourcesListChanged": true, "resourceSubscriptions": ["files+file:///x"]],
                "_meta": [MCPProtocol.versionKey: .string(MCPProtocol.modernVersion), MCPProtocol.clientCapabilitiesKey: [:]],
            ]
            let body: JSONValue = ["jsonrpc": "2.0", "id": 9, "method": "subscriptions/listen", "params": params]
            return try await gateway.send(
                body: RawJSON(body).text,
                headers: [.mcpProtocolVersion: MCPProtocol.modernVersion, .mcpMethod: "subscriptions/listen",
                          .accept: "application/json, text/event-stream"],
                channel: connection)
        }
        #expect(text.contains(#""notifications":{"promptsListChanged":true,"resourcesListChanged":true}"#),
                "the acknowledgement names what is honoured, without resourceSubscriptions: \(text)")
        #expect(text.contains("notifications/prompts/list_changed"))
        #expect(text.contains("notifications/resources/list_changed"))
        #expect(!text.contains("notifications/tools/list_changed"), "tools were not asked for")
    }

    @Test func theGetStreamCarriesEveryListChange() async throws {
        let gateway = try await GatewayHarness.make()
        let text = try await Self.streamed(gateway, notices: [.listChanged(.prompts), .listChanged(.tools),
                                                              .resourceUpdated(server: "files", owner: nil, upstreamURI: "file:///x")]) {
            connection in
            try await gateway.send(.get, headers: [.accept: "text/event-stream"], channel: connection)
        }
        #expect(text.contains(#"{"jsonrpc":"2.0","method":"notifications/prompts/list_changed"}"#), "\(text)")
        #expect(text.contains(#"{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}"#))
        #expect(!text.contains("resources/updated"), "no subscriptions on this stream yet")
    }
}
