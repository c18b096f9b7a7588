import Foundation
@testable import SentinelControl
import SentinelControlAPI
import SentinelCore
import SentinelStore
import SentinelVarlink
import Testing

/// Prompts and resource rules through the control socket (issue 14): the methods, their refusals, the audit
/// entries and change events, and the `--resources` argument forms of sentinelctl.
struct SurfaceControlTests {
    /// `files` (stdio) attached to `eng`, with a catalog: tools `read` and `board` (an MCP App whose page is
    /// `ui://board/app.html`), prompts `review` and `summarize`, resources `file:///docs/a.md`, `file:///etc/b`,
    /// `ui://board/app.html`, template `notes://{topic}`. `other` exists but is not attached.
    static func catalog(_ harness: ControlHarness) async throws {
        _ = try await harness.call("AddServer", ["server": .object(stdioSpec)])
        _ = try await harness.call("AddServer", ["server": ["name": "other", "transport": "stdio", "command": ["/bin/true"]]])
        _ = try await harness.call("CreateEndpoint", ["name": "eng", "servers": ["files"]])
        let now = Date()
        let board = #"{"name":"board","inputSchema":{"type":"object"},"_meta":{"ui":{"resourceUri":"ui://board/app.html"}}}"#
        let tools = [Tool(server: "files", name: "read", discoveredAt: now), Tool(server: "files", name: "board", definition: board, discoveredAt: now)]
        let prompts = ["review", "summarize"].map { Prompt(server: "files", name: $0, definition: #"{"name":"\#($0)"}"#, discoveredAt: now) }
        let resources = ["file:///docs/a.md", "file:///etc/b", "ui://board/app.html"].map {
            Resource(server: "files", uri: $0, name: $0, definition: #"{"uri":"\#($0)","name":"\#($0)"}"#, discoveredAt: now)
        }
        let templates = [
            ResourceTemplate(
                server: "files", uriTemplate: "notes://{topic}", name: "note", definition: #"{"uriTemplate":"notes://{topic}","name":"note"}"#,
                discoveredAt: now)
        ]
        try await harness.store.replaceCatalog(
            server: "files", tools: tools,
            surface: ServerSurface(prompts: prompts, resources: resources, templates: templates, capabilities: nil), at: now)
    }

    static func decode<Value: Decodable>(_ type: Value.Type, _ reply: [String: JSONValue]) throws -> Value {
        try ManagerAPI.decode(type, from: reply)
    }

    @Test func promptsAreEnabledListedCountedAndAudited() async throws {
        try await withHarness { harness in
            try await Self.catalog(harness)
            let watched = harness.changes.subscribe()
            let enabled = try Self.decode(
                ManagerAPI.PromptChangeReply.self, try await harness.call("EnablePrompts", ["endpoint": "eng", "prompts": ["files/review"]]))
            #expect(enabled.changed == [ManagerAPI.PromptSelection(server: "files", prompt: "review", exposedName: "files__review", enabled: true)])
            let entry = try #require(harness.audit.events.last)
            #expect(entry.kind == .configChanged)
            #expect(entry.fields[.action] == "endpoint-enable-prompts")
            #expect(entry.fields[.endpoint] == "eng")
            #expect(entry.message.hasPrefix("1 prompt(s) enabled on endpoint eng: files__review"))
            var changes = watched.makeAsyncIterator()
            let change = try #require(await changes.next())
            #expect(change.event == .promptsSelected(endpoint: "eng", prompts: [PromptReference(server: "files", prompt: "review")], enabled: true))

            let listed = try Self.decode(
                ManagerAPI.ListPromptSelections.Reply.self, try await harness.call("ListPromptSelections", ["endpoint": "eng"]))
            #expect(listed.prompts.map { "\($0.exposedName) \($0.enabled)" } == ["files__review true", "files__summarize false"])

            // Already enabled: nothing changes and nothing is audited.
            let events = harness.audit.events.count
            let again = try Self.decode(
                ManagerAPI.PromptChangeReply.self, try await harness.call("EnablePrompts", ["endpoint": "eng", "prompts": ["files__review"]]))
            #expect(again.changed.isEmpty && harness.audit.events.count == events)

            _ = try await harness.call("EnablePrompts", ["endpoint": "eng", "all_of": ["files"]])
            let endpoint = try Self.decode(ManagerAPI.EndpointReply.self, try await harness.call("GetEndpoint", ["name": "eng"])).endpoint
            #expect((endpoint.enabledPrompts, endpoint.availablePrompts, endpoint.resourceRules) == (2, 2, 0))

            let disabled = try Self.decode(
                ManagerAPI.PromptChangeReply.self,
                try await harness.call("DisablePrompts", ["endpoint": "eng", "prompts": ["files/summarize"]]))
            #expect(disabled.changed.map(\.exposedName) == ["files__summarize"] && disabled.changed.allSatisfy { !$0.enabled })
            #expect(harness.audit.events.last?.fields[.action] == "endpoint-disable-prompts")
        }
    }

    @Test func anUnknownPromptIsRefusedWithTheReason() async throws {
        try await withHarness { harness in
            try await Self.catalog(harness)
            func reason(_ prompt: String) async -> String? {
                let error = await harness.callError("EnablePrompts", ["endpoint": "eng", "prompts": [.string(prompt)]])
                #expect(error?.name == "io.sentinel.Manager.NoSuchPrompt", "\(prompt)")
                return error?.parameters["reason"]?.stringValue
            }
            #expect(await reason("review") == "name it SERVER/PROMPT, or by the exposed name that sentinelctl endpoint prompts eng shows")
            #expect(await reason("ghost/x") == "no server named 'ghost'")
            #expect(await reason("other/x") == "server 'other' is not attached to endpoint 'eng' (sentinelctl endpoint attach eng other)")
            #expect(await reason("files/reveiw") == "server files lists 2 prompt(s), none named 'reveiw'")
            #expect(await reason("files/read") == "server files lists 2 prompt(s), none named 'read'; read is a tool (name it without --prompt)")
            // And the other way round: a prompt named where a tool is meant.
            let tool = await harness.callError("EnableTools", ["endpoint": "eng", "tools": ["files/review"]])
            #expect(tool?.parameters["reason"]?.stringValue?.hasSuffix("review is a prompt (sentinelctl endpoint enable eng --prompt files/review)") == true)
            let none = await harness.callError("EnablePrompts", ["endpoint": "eng"])
            #expect(none?.name == "io.sentinel.Manager.InvalidValue")
            let listed = try Self.decode(
                ManagerAPI.ListPromptSelections.Reply.self, try await harness.call("ListPromptSelections", ["endpoint": "eng"]))
            #expect(listed.prompts.allSatisfy { !$0.enabled })
        }
    }

    @Test func resourceRulesOpenResourcesAndTheEnabledToolsPage() async throws {
        try await withHarness { harness in
            try await Self.catalog(harness)
            _ = try await harness.call("EnableTools", ["endpoint": "eng", "tools": ["files/board"]])
            let added = try Self.decode(
                ManagerAPI.ResourceChangeReply.self,
                try await harness.call(
                    "EnableResources",
                    ["endpoint": "eng", "rules": [["server": "files", "prefix": "file:///docs/"], ["mapped": "files+notes://"]]]))
            #expect(added.changed.map(\.mappedPrefix) == ["files+file:///docs/", "files+notes://"])
            let entry = try #require(harness.audit.events.last)
            #expect(entry.fields[.action] == "endpoint-enable-resources" && entry.fields[.endpoint] == "eng")

            let listed = try Self.decode(
                ManagerAPI.ListResourceRules.Reply.self, try await harness.call("ListResourceRules", ["endpoint": "eng"]))
            #expect(Set(listed.rules.map(\.mappedPrefix)) == ["files+file:///docs/", "files+notes://"])
            let states = Dictionary(uniqueKeysWithValues: listed.resources.map { ($0.uri, "\($0.kind.rawValue) \($0.state.rawValue) \($0.rule ?? $0.tool ?? "-")") })
            #expect(states == [
                "files+file:///docs/a.md": "resource rule files+file:///docs/",
                "files+file:///etc/b": "resource off -",
                "ui://files+board/app.html": "resource tool board",
                "files+notes://{topic}": "template rule files+notes://",
            ])
            #expect(listed.resources.first { $0.uri == "files+file:///etc/b" }?.upstreamURI == "file:///etc/b")
            let endpoint = try Self.decode(ManagerAPI.EndpointReply.self, try await harness.call("GetEndpoint", ["name": "eng"])).endpoint
            #expect(endpoint.resourceRules == 2)

            // Removing names exactly one rule; a rule that is not there changes nothing.
            let none = try Self.decode(
                ManagerAPI.ResourceChangeReply.self,
                try await harness.call("DisableResources", ["endpoint": "eng", "rules": [["server": "files"]]]))
            #expect(none.changed.isEmpty)
            let removed = try Self.decode(
                ManagerAPI.ResourceChangeReply.self,
                try await harness.call("DisableResources", ["endpoint": "eng", "rules": [["mapped": "files+file:///docs/"]]]))
            #expect(removed.changed == [ManagerAPI.ResourceRule(server: "files", prefix: "file:///docs/", mappedPrefix: "files+file:///docs/")])
            #expect(harness.audit.events.last?.fields[.action] == "endpoint-disable-resources")
        }
    }

    @Test func badRulesAreRefusedBeforeAnythingChanges() async throws {
        try await withHarness { harness in
            try await Self.catalog(harness)
            func error(_ rules: JSONValue) async -> VarlinkError? {
                await harness.callError("EnableResources", ["endpoint": "eng", "rules": rules])
            }
            #expect(await error([["server": "files"], ["server": "other"]])?.name == "io.sentinel.Manager.ServerNotAttached")
            #expect(await error([["server": "ghost"]])?.name == "io.sentinel.Manager.NoSuchServer")
            #expect(await error([["mapped": "ghost+file:///"]])?.name == "io.sentinel.Manager.NoSuchServer")
            let unmappable = await error([["mapped": "file:///docs/"]])
            #expect(unmappable?.name == "io.sentinel.Manager.InvalidValue" && unmappable?.parameters["field"] == "mapped")
            let both = await error([["mapped": "files+x", "server": "files"]])
            #expect(both?.parameters["field"] == "mapped")
            let badName = await error([["server": "Files"]])
            #expect(badName?.parameters["field"] == "server")
            #expect(await error([])?.parameters["field"] == "rules")
            #expect(await harness.callError("ListResourceRules", ["endpoint": "nowhere"])?.name == "io.sentinel.Manager.NoSuchEndpoint")
            let listed = try Self.decode(
                ManagerAPI.ListResourceRules.Reply.self, try await harness.call("ListResourceRules", ["endpoint": "eng"]))
            #expect(listed.rules.isEmpty)
        }
    }

    @Test func aResourcesArgumentIsAServerARulePrefixOrAMappedPrefix() {
        typealias Spec = ManagerAPI.ResourceRuleSpec
        #expect(Spec(argument: "notes") == Spec(server: "notes"))
        #expect(Spec(argument: "notes:file:///docs/") == Spec(server: "notes", prefix: "file:///docs/"))
        #expect(Spec(argument: "notes:") == Spec(server: "notes", prefix: ""))
        #expect(Spec(argument: "notes+file:///docs/") == Spec(mapped: "notes+file:///docs/"))
        #expect(Spec(argument: "notes+") == Spec(mapped: "notes+"))
        #expect(Spec(argument: "ui://notes+board/") == Spec(mapped: "ui://notes+board/"))
        // An upstream prefix may hold `+` after the first `:`; a server never does.
        #expect(Spec(argument: "notes:a+b://x") == Spec(server: "notes", prefix: "a+b://x"))
        #expect(Spec(argument: "Notes:x") == Spec(server: "Notes", prefix: "x"))
    }
}
