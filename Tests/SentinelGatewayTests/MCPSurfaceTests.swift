import HTTPTypes
import SentinelCore
import Testing
@testable import SentinelGateway
import SentinelStore

/// Prompts, resources, templates and completion through an endpoint: listed from the snapshot, served by the server
/// that offers them with names and URIs as the endpoint shows them, refused alike whatever the reason, one audit
/// entry each.
struct MCPSurfaceTests {
    static func gateway(_ change: (inout GatewaySettings) -> Void = { _ in }) async throws -> GatewayHarness {
        let gateway = try await GatewayHarness.make(change)
        try await gateway.addAppServers()
        return gateway
    }

    static func names(_ reply: TestReply, _ list: String, _ key: String) -> [String] {
        reply.result?[list]?.arrayValue?.compactMap { $0[key]?.stringValue } ?? []
    }

    @Test func nothingIsListedOrServedBeforeItIsEnabled() async throws {
        let gateway = try await Self.gateway()
        for (method, list) in [("prompts/list", "prompts"), ("resources/list", "resources"), ("resources/templates/list", "resourceTemplates")] {
            let modern = try await gateway.modernCall(method)
            #expect(modern.result?[list] == [], "\(method)")
            #expect(modern.result?["ttlMs"] == 0)
            #expect(modern.result?["cacheScope"] == "private")
            #expect(modern.result?["resultType"] == "complete")
            let handshake = try await gateway.call(method)
            #expect(handshake.result?[list] == [])
            #expect(handshake.result?["ttlMs"] == nil)
        }
        let prompt = try await gateway.call("prompts/get", params: ["name": "sdk__review"])
        #expect(prompt.errorCode == Int64(JSONRPCErrorCode.invalidParams))
        #expect(prompt.errorMessage == "Unknown prompt: sdk__review")
        let read = try await gateway.call("resources/read", params: ["uri": "sdk+file:///README.md"])
        #expect(read.errorCode == Int64(JSONRPCErrorCode.resourceNotFound))
        let completion = try await gateway.call(
            "completion/complete", params: ["ref": ["type": "ref/prompt", "name": "sdk__review"], "argument": ["name": "code", "value": "x"]])
        #expect(completion.errorCode == Int64(JSONRPCErrorCode.invalidParams))
        #expect(gateway.upstreams.calls.isEmpty)
        let events = gateway.audit.events
        #expect(events.map(\.kind) == [.promptDenied, .resourceDenied, .completionDenied])
        #expect(events[0].fields[.detail] == "prompt is disabled on this endpoint")
        #expect(events[0].fields[.server] == "sdk")
        #expect(events[0].fields[.prompt] == "review")
        #expect(events[1].fields[.reason] == "not-enabled")
        #expect(events[2].fields[.ref] == "prompt")
        #expect(events[2].fields[.argument] == "code")
    }

    @Test func anEnabledPromptIsListedAndFetchedWithItsResourceLinksMapped() async throws {
        let gateway = try await Self.gateway()
        try await gateway.enablePrompts(["sdk/review"])
        let listed = try await gateway.call("prompts/list")
        #expect(Self.names(listed, "prompts", "name") == ["sdk__review"])
        #expect(listed.result?["prompts"]?.arrayValue?.first?["_meta"]?["io.sentinel/origin"] == ["server": "sdk", "prompt": "review"])
        #expect(listed.result?["prompts"]?.arrayValue?.first?["arguments"]?.arrayValue?.count == 1, "the upstream's object, whole")

        let reply = try await gateway.modernCall("prompts/get", id: 3, params: ["name": "sdk__review", "arguments": ["code": "x = 1"]])
        let call = try #require(gateway.upstreams.calls.first)
        #expect(call.method == "prompts/get")
        #expect(call.params == ["name": "review", "arguments": ["code": "x = 1"]], "its own name, no era keys")
        let messages = try #require(reply.result?["messages"]?.arrayValue)
        #expect(messages.first?["content"]?["text"] == "review x = 1")
        #expect(messages.last?["content"]?["uri"] == "sdk+file:///README.md", "a resource link the client can read back")
        #expect(reply.result?["resultType"] == "complete")
        #expect(reply.result?["_meta"]?[MCPProtocol.serverInfoKey]?["name"] == "sentinel/open", "the endpoint, not the upstream")

        let event = try #require(gateway.audit.events.last)
        #expect(event.kind == .promptGet)
        #expect(event.fields[.outcome] == "ok")
        #expect(event.fields[.exposedName] == "sdk__review")
        #expect(event.fields[.prompt] == "review")
        #expect(event.fields[.server] == "sdk")
        #expect(event.fields[.arguments] == #"{"code":"x = 1"}"#, "the endpoint captures payloads")

        let other = try await gateway.call("prompts/get", id: 4, params: ["name": "sdk__draft"])
        #expect(other.errorMessage == "Unknown prompt: sdk__draft", "only what is enabled")
    }

    @Test func resourceRulesOpenWhatTheyCoverUnderDistinctURIs() async throws {
        let gateway = try await Self.gateway { $0.toolsPageSize = 2 }
        try await gateway.openResources([("sdk", ""), ("fm", "file:///")])
        var uris: [String] = []
        var cursor: String?
        repeat {
            let reply = try await gateway.call("resources/list", params: cursor.map { ["cursor": .string($0)] } ?? [:])
            uris += Self.names(reply, "resources", "uri")
            cursor = reply.result?["nextCursor"]?.stringValue
        } while cursor != nil && uris.count < 20
        #expect(uris == ["fm+file:///README.md", "sdk+file:///README.md", "sdk+counter://value", "sdk+missing://x", "ui://sdk+board/app.html"])
        let templates = try await gateway.call("resources/templates/list")
        #expect(Self.names(templates, "resourceTemplates", "uriTemplate") == ["sdk+notes://{topic}"], "fm's rule cannot cover fm://docs/")

        let fm = try await gateway.call("resources/read", params: ["uri": "fm+file:///README.md"])
        #expect(fm.result?["contents"]?.arrayValue?.first?["uri"] == "fm+file:///README.md")
        #expect(gateway.upstreams.calls.last?.params == ["uri": "file:///README.md"])
        let expanded = try await gateway.call("resources/read", params: ["uri": "sdk+notes://groceries"])
        #expect(expanded.result?["contents"]?.arrayValue?.first?["uri"] == "sdk+notes://groceries", "a template's URI reads like any other")
        let closed = try await gateway.call("resources/read", params: ["uri": "fm+fm://docs/intro"])
        #expect(closed.errorCode == Int64(JSONRPCErrorCode.resourceNotFound), "the prefix rule opens file:/// only")
        let missing = try await gateway.modernCall("resources/read", params: ["uri": "sdk+missing://x"])
        #expect(missing.errorCode == Int64(JSONRPCErrorCode.invalidParams))
        #expect(missing.json["error"]?["data"]?["uri"] == "sdk+missing://x")

        let cached = try await gateway.modernCall("resources/read", params: ["uri": "sdk+counter://value"])
        #expect(cached.result?["ttlMs"] == 60000, "the upstream's ttl")
        #expect(cached.result?["cacheScope"] == "public", "the upstream said public of a server everyone reads alike")
        _ = try await gateway.store.updateServer(named: "sdk") { $0.credentialMode = .personal }
        gateway.handler.catalog.invalidate()
        let personal = try await gateway.modernCall("resources/read", params: ["uri": "sdk+counter://value"])
        #expect(personal.result?["cacheScope"] == "private", "a personal server's resources are the caller's own")
        let kinds = gateway.audit.events.map(\.kind)
        #expect(kinds == [.resourceRead, .resourceRead, .resourceDenied, .resourceRead, .resourceRead, .resourceRead])
    }

    @Test func completionAsksTheServerOfAnEnabledPromptOrAListedTemplate() async throws {
        let gateway = try await Self.gateway()
        try await gateway.enablePrompts(["sdk/review"])
        try await gateway.openResources([("sdk", "notes://")])
        let argument: JSONValue = ["name": "topic", "value": "gro"]
        let prompt = try await gateway.call("completion/complete", params: ["ref": ["type": "ref/prompt", "name": "sdk__review"], "argument": argument])
        #expect(prompt.result?["completion"]?["values"] == [#"{"name":"review","type":"ref/prompt"}"#] || prompt.result?["completion"]?["values"] == [#"{"type":"ref/prompt","name":"review"}"#])
        #expect(gateway.upstreams.calls.last?.params["argument"] == argument)
        let template = try await gateway.modernCall(
            "completion/complete", params: ["ref": ["type": "ref/resource", "uri": "sdk+notes://{topic}"], "argument": argument])
        #expect(gateway.upstreams.calls.last?.params["ref"] == ["type": "ref/resource", "uri": "notes://{topic}"])
        #expect(template.result?["resultType"] == "complete")
        for ref in [["type": "ref/resource", "uri": "fm+fm://docs/{name}"], ["type": "ref/prompt", "name": "fm__summarize"],
                    ["type": "ref/tool", "name": "x"]] as [JSONValue] {
            let refused = try await gateway.call("completion/complete", params: ["ref": ref, "argument": argument])
            #expect(refused.errorCode == Int64(JSONRPCErrorCode.invalidParams), "\(ref)")
        }
        #expect(gateway.upstreams.calls.count == 2)
        let events = gateway.audit.events
        #expect(events.map(\.kind) == [.completion, .completion, .completionDenied, .completionDenied, .completionDenied])
        #expect(events[1].fields[.ref] == "resource")
        #expect(events[1].fields[.uri] == "sdk+notes://{topic}")
        #expect(events[1].fields[.upstreamURI] == "notes://{topic}")
        #expect(events[1].fields[.argument] == "topic")
    }

    @Test func operationsCountAgainstTheLimitsOfToolCalls() async throws {
        let gateway = try await Self.gateway {
            $0.maxConcurrentCallsPerCaller = 1
        }
        try await gateway.enablePrompts(["sdk/review"])
        try await withThrowingTaskGroup(of: TestReply.self) { group in
            group.addTask { try await gateway.callTool("slow", id: 1) }
            await gateway.upstreams.waitForSlowCalls(1)
            let prompt = try await gateway.call("prompts/get", id: 2, params: ["name": "sdk__review"])
            #expect(prompt.status == .tooManyRequests)
            gateway.upstreams.releaseSlowCalls()
            _ = try await group.next()
        }
        let throttled = try #require(gateway.audit.events.first { $0.kind == .promptDenied })
        #expect(throttled.fields[.outcome] == "throttled")
        #expect(throttled.fields[.reason] == "caller-limit")
    }

    @Test func aMissingPersonalCredentialIsAReadableError() async throws {
        let gateway = try await Self.gateway()
        try await gateway.enablePrompts(["sdk/review"])
        gateway.upstreams.requireCredential("connect your account at https://gw.example.org/credentials", connectURL: "https://gw.example.org/c")
        let reply = try await gateway.call("prompts/get", params: ["name": "sdk__review"])
        #expect(reply.errorCode == Int64(JSONRPCErrorCode.upstreamUnavailable))
        #expect(reply.errorMessage == "connect your account at https://gw.example.org/credentials")
        #expect(reply.json["error"]?["data"]?["url"] == "https://gw.example.org/c")
        let event = try #require(gateway.audit.events.last)
        #expect(event.kind == .promptGet)
        #expect(event.fields[.outcome] == "error")
    }
}

/// What every upstream request shares with tool calls: the credential rule, the connect prompt, MRTR pass-through.
struct MCPForwardTests {
    @Test func aRefusedCredentialIsRefreshedOnceAndTheRequestRetried() async throws {
        let gateway = try await MCPSurfaceTests.gateway()
        try await gateway.enablePrompts(["sdk/review"])
        gateway.upstreams.refuseCredential(times: 1)
        let reply = try await gateway.call("prompts/get", params: ["name": "sdk__review", "arguments": ["code": "y"]])
        #expect(reply.result?["messages"]?.arrayValue?.count == 2, "\(reply.text)")
        #expect(gateway.upstreams.rejectedCredentials == 1)
        gateway.upstreams.refuseCredential(times: 2)
        let again = try await gateway.call("prompts/get", id: 2, params: ["name": "sdk__review"])
        #expect(again.errorCode == Int64(JSONRPCErrorCode.upstreamUnavailable), "refused after the one refresh: \(again.text)")
        #expect(gateway.upstreams.rejectedCredentials == 2)
        #expect(gateway.audit.events.map { $0.fields[.outcome] } == ["ok", "error"])
    }

    @Test func aClientThatCanOpenAURLIsAskedToConnectTheAccount() async throws {
        let gateway = try await MCPSurfaceTests.gateway()
        try await gateway.openResources([("sdk", "")])
        gateway.upstreams.requireCredential(MCPConnectPromptTests.message, connectURL: MCPConnectPromptTests.page)
        let session = try await MCPConnectPromptTests.session(gateway, capabilities: MCPConnectPromptTests.urlMode)
        let old = try await gateway.call("resources/read", id: 2, params: ["uri": "sdk+file:///README.md"], headers: session)
        #expect(old.errorCode == Int64(JSONRPCErrorCode.urlElicitationRequired))
        let modern = try await gateway.modernCall(
            "resources/read", params: ["uri": "sdk+file:///README.md"], capabilities: MCPConnectPromptTests.urlMode)
        #expect(modern.result?["resultType"] == "input_required")
        #expect(modern.result?["inputRequests"]?["connect-sdk"]?["params"]?["url"] == .string(MCPConnectPromptTests.page))
    }

    @Test func aMultiRoundTripReadPassesItsAnswersUpstreamButNotAnswersToSentinel() async throws {
        let gateway = try await MCPSurfaceTests.gateway()
        try await gateway.openResources([("sdk", "")])
        _ = try await gateway.modernCall("resources/read", params: [
            "uri": "sdk+file:///README.md", "inputResponses": ["pick": ["action": "accept"]], "requestState": "opaque-1",
        ])
        #expect(gateway.upstreams.calls.last?.params == [
            "uri": "file:///README.md", "inputResponses": ["pick": ["action": "accept"]], "requestState": "opaque-1",
        ])
        _ = try await gateway.modernCall("resources/read", id: 2, params: [
            "uri": "sdk+file:///README.md", "inputResponses": ["connect-sdk": ["action": "accept"]],
        ])
        #expect(gateway.upstreams.calls.last?.params == ["uri": "file:///README.md"], "Sentinel's own prompt was answered")
    }
}
