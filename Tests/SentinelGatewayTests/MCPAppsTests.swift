import HTTPTypes
import SentinelCore
import Testing
@testable import SentinelGateway

/// MCP Apps through an endpoint: tool definitions name their pages as the endpoint shows them, app-only tools reach
/// only hosts that can keep them from the model, a view calls its server's tools by their own names, and enabling a
/// tool opens its page to `resources/read`.
struct MCPAppsTests {
    static let apps: JSONValue = ["extensions": [MCPClientCapabilities.appsExtensionKey: ["mimeTypes": ["text/html;profile=mcp-app"]]]]

    static func tools(_ reply: TestReply) -> [String: JSONValue] {
        var byName: [String: JSONValue] = [:]
        for tool in reply.result?["tools"]?.arrayValue ?? [] { byName[tool["name"]?.stringValue ?? ""] = tool }
        return byName
    }

    static func gateway(enabling tools: [String]) async throws -> GatewayHarness {
        let gateway = try await GatewayHarness.make()
        try await gateway.addAppServers()
        try await gateway.enable(tools)
        return gateway
    }

    @Test func toolDefinitionsNameTheirPagesAsTheEndpointShowsThem() async throws {
        let gateway = try await Self.gateway(enabling: ["sdk/show_board", "fm/chart"])
        let tools = Self.tools(try await gateway.call("tools/list"))
        #expect(tools["sdk__show_board"]?["_meta"]?["ui"]?["resourceUri"] == "ui://sdk+board/app.html")
        #expect(tools["fm__chart"]?["_meta"]?["openai/outputTemplate"] == "ui://fm+widget/chart.html")
        #expect(tools["files__echo"]?["_meta"]?["ui"] == nil, "tools without pages are unchanged")
    }

    @Test func appOnlyToolsReachOnlyClientsThatCanShowApps() async throws {
        let gateway = try await Self.gateway(enabling: ["sdk/show_board", "sdk/refresh_board"])
        let plain = Self.tools(try await gateway.modernCall("tools/list"))
        #expect(plain["sdk__show_board"] != nil)
        #expect(plain["sdk__refresh_board"] == nil, "a 2026-07-28 client without the Apps extension never sees app-only tools")
        let host = Self.tools(try await gateway.modernCall("tools/list", capabilities: Self.apps))
        #expect(host["sdk__refresh_board"]?["_meta"]?["ui"]?["visibility"] == ["app"], "an Apps host gets it, visibility kept")
        let sessionless = Self.tools(try await gateway.call("tools/list"))
        #expect(sessionless["sdk__refresh_board"] != nil, "a handshake client without a session declared nothing: shown")

        for (capabilities, shown) in [(JSONValue.object([:]), false), (Self.apps, true)] {
            let initialized = try await gateway.call(
                "initialize", params: ["protocolVersion": "2025-06-18", "capabilities": capabilities, "clientInfo": ["name": "c"]])
            let session = try #require(initialized.headers[.mcpSessionID])
            let listed = Self.tools(try await gateway.call("tools/list", id: 2, headers: [.mcpSessionID: session]))
            #expect((listed["sdk__refresh_board"] != nil) == shown, "a session remembers the Apps extension: \(capabilities)")
        }
    }

    @Test func aViewCallsItsServersToolByItsOwnName() async throws {
        let gateway = try await Self.gateway(enabling: ["sdk/show_board", "sdk/refresh_board", "sdk/peek"])
        let reply = try await gateway.call("tools/call", params: ["name": "refresh_board", "arguments": [:]])
        #expect(reply.errorMessage == "unknown", "it reached the upstream (the fake knows no such tool)")
        #expect(gateway.upstreams.calls.map(\.tool) == ["refresh_board"])
        let event = try #require(gateway.audit.onlyToolEvent)
        #expect(event.kind == .toolCall)
        #expect(event.fields[.reason] == "app-name")
        #expect(event.fields[.exposedName] == "refresh_board", "the name as sent")
        #expect(event.fields[.server] == "sdk")

        let modelOnly = try await gateway.call("tools/call", id: 2, params: ["name": "peek"])
        #expect(modelOnly.errorMessage == "Unknown tool: peek", "a model-only tool is never reached by its upstream name")
        #expect(gateway.upstreams.calls.count == 1)
    }

    @Test func aNameTwoServersShareIsAmbiguous() async throws {
        let gateway = try await Self.gateway(enabling: ["sdk/show_board", "sdk/refresh_board", "fm/refresh_board"])
        let reply = try await gateway.call("tools/call", params: ["name": "refresh_board"])
        #expect(reply.errorCode == Int64(JSONRPCErrorCode.invalidParams))
        #expect(reply.errorMessage == "tool name refresh_board is ambiguous on this endpoint; call sdk__refresh_board or fm__refresh_board"
            || reply.errorMessage == "tool name refresh_board is ambiguous on this endpoint; call fm__refresh_board or sdk__refresh_board")
        #expect(gateway.upstreams.calls.isEmpty)
        let event = try #require(gateway.audit.onlyToolEvent)
        #expect(event.kind == .toolDenied)
        #expect(event.fields[.reason] == "ambiguous-app-call")
        let exposed = try await gateway.call("tools/call", id: 2, params: ["name": "sdk__refresh_board"])
        #expect(exposed.errorMessage == "unknown", "exposed names always work (the fake knows no such tool)")
    }

    @Test func enablingAToolOpensItsPage() async throws {
        let gateway = try await Self.gateway(enabling: ["sdk/show_board"])
        let page = try await gateway.call("resources/read", params: ["uri": "ui://sdk+board/app.html"])
        #expect(page.result?["contents"]?.arrayValue?.first?["uri"] == "ui://sdk+board/app.html", "the URI the host asked for")
        #expect(page.result?["contents"]?.arrayValue?.first?["text"] == "text of ui://board/app.html")
        #expect(gateway.upstreams.calls.first?.method == "resources/read")
        #expect(gateway.upstreams.calls.first?.params["uri"] == "ui://board/app.html", "the upstream gets its own URI")
        let event = try #require(gateway.audit.events.last)
        #expect(event.kind == .resourceRead)
        #expect(event.fields[.uri] == "ui://sdk+board/app.html")
        #expect(event.fields[.upstreamURI] == "ui://board/app.html")
        #expect(event.fields[.server] == "sdk")
        #expect(event.fields[.outcome] == "ok")

        let modern = try await gateway.modernCall("resources/read", id: 2, params: ["uri": "ui://sdk+board/app.html"])
        #expect(modern.result?["ttlMs"] == 0)
        #expect(modern.result?["cacheScope"] == "private", "the upstream said nothing: private")
        #expect(modern.result?["resultType"] == "complete")
    }

    @Test func pagesOfToolsNotEnabledAreNotFoundInTheClientsEra() async throws {
        let gateway = try await Self.gateway(enabling: ["sdk/show_board"])
        for (uri, reason) in [("ui://fm+widget/chart.html", "not-enabled"), ("file:///etc/passwd", "unmappable"),
                              ("nowhere+file:///x", "not-attached"), ("sdk+ui://board/app.html", "unmappable")] {
            let old = try await gateway.call("resources/read", params: ["uri": .string(uri)])
            #expect(old.errorCode == Int64(JSONRPCErrorCode.resourceNotFound), "\(uri)")
            #expect(old.json["error"]?["data"]?["uri"] == .string(uri))
            let modern = try await gateway.modernCall("resources/read", params: ["uri": .string(uri)])
            #expect(modern.errorCode == Int64(JSONRPCErrorCode.invalidParams), "\(uri)")
            #expect(modern.json["error"]?["data"]?["uri"] == .string(uri))
            let events = gateway.audit.events.suffix(2)
            #expect(events.allSatisfy { $0.kind == .resourceDenied && $0.fields[.reason] == reason && $0.fields[.uri] == uri })
        }
        #expect(gateway.upstreams.calls.isEmpty, "nothing reached an upstream")
    }

    @Test func upstreamNotFoundIsTranslatedToTheClientsEra() async throws {
        let gateway = try await Self.gateway(enabling: ["sdk/ghost", "sdk/relic"])
        for uri in ["ui://sdk+board/missing.html", "ui://sdk+board/gone.html"] {
            let old = try await gateway.call("resources/read", params: ["uri": .string(uri)])
            #expect(old.errorCode == Int64(JSONRPCErrorCode.resourceNotFound), "\(uri)")
            #expect(old.json["error"]?["data"]?["uri"] == .string(uri), "data.uri as the client knows it")
            let modern = try await gateway.modernCall("resources/read", params: ["uri": .string(uri)])
            #expect(modern.errorCode == Int64(JSONRPCErrorCode.invalidParams), "\(uri)")
            #expect(modern.json["error"]?["data"]?["uri"] == .string(uri))
        }
        #expect(gateway.audit.events.allSatisfy { $0.kind == .resourceRead && $0.fields[.outcome] == "error" })
    }

    @Test func resourceBlocksOfToolResultsAreMappedAndNothingElse() async throws {
        let gateway = try await Self.gateway(enabling: ["sdk/link"])
        let reply = try await gateway.call("tools/call", params: ["name": "sdk__link"])
        #expect(reply.text.contains(
            #"{"content":[{"type":"text","text":"see file:///README.md"},{"type":"resource_link","uri":"sdk+file:///README.md","name":"readme"},{"type":"resource","resource":{"uri":"ui://sdk+board/app.html","text":"<p>"}}],"structuredContent":{"uri":"file:///README.md"}}"#))
    }
}
