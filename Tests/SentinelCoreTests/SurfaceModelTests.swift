import Foundation
import Testing
import SentinelCore

/// The catalog's prompts, resources and templates, how an endpoint shows them, and what opens them.
struct SurfaceModelTests {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    static func entry(_ text: String) -> (bytes: [UInt8], range: Range<Int>) {
        // Inside a page, with whitespace around it, as the catalog meets it.
        let page = Array(("[ " + text + " ]").utf8)
        return (page, 1..<(page.count - 1))
    }

    @Test func promptEntriesAreKeptWholeAndReadForTheirFields() throws {
        let text = #"{"name":"review","title":"Review","description":"Reviews code","arguments":[{"name":"code","required":true}],"_meta":{"k":1}}"#
        let (bytes, range) = Self.entry(text)
        let prompt = try #require(Prompt(server: "sdk", entry: bytes, in: range, discoveredAt: Self.now))
        #expect(prompt == Prompt(server: "sdk", name: "review", title: "Review", description: "Reviews code", definition: text, discoveredAt: Self.now))
        for refused in [#"{"title":"x"}"#, #"{"name":""}"#, #"{"name":1}"#, #"{"name":"a","name":"b"}"#, #""review""#, "[]"] {
            let (bytes, range) = Self.entry(refused)
            #expect(Prompt(server: "sdk", entry: bytes, in: range, discoveredAt: Self.now) == nil, "\(refused)")
        }
    }

    @Test func resourceEntriesNeedAMappableURIAndTemplatesALiteralScheme() throws {
        let text = #"{"uri":"file:///README.md","name":"readme","mimeType":"text/markdown","size":12}"#
        let (bytes, range) = Self.entry(text)
        let resource = try #require(Resource(server: "sdk", entry: bytes, in: range, discoveredAt: Self.now))
        #expect(resource.uri == "file:///README.md" && resource.name == "readme" && resource.mimeType == "text/markdown")
        #expect(resource.definition == text)
        #expect(resource.mappedURI == "sdk+file:///README.md")
        for refused in [#"{"name":"x"}"#, #"{"uri":"README.md"}"#, #"{"uri":"file:///a","uri":"file:///b"}"#, #"{"uri":null}"#] {
            let (bytes, range) = Self.entry(refused)
            #expect(Resource(server: "sdk", entry: bytes, in: range, discoveredAt: Self.now) == nil, "\(refused)")
        }
        let (tBytes, tRange) = Self.entry(#"{"uriTemplate":"notes://{topic}","name":"notes"}"#)
        let template = try #require(ResourceTemplate(server: "sdk", entry: tBytes, in: tRange, discoveredAt: Self.now))
        #expect(template.uriTemplate == "notes://{topic}" && template.literalPrefix == "notes://")
        #expect(template.mappedTemplate == "sdk+notes://{topic}")
        for refused in [#"{"uriTemplate":"{+base}/x"}"#, #"{"uriTemplate":"ui:{x}"}"#, #"{"uri":"notes://{t}"}"#] {
            let (bytes, range) = Self.entry(refused)
            #expect(ResourceTemplate(server: "sdk", entry: bytes, in: range, discoveredAt: Self.now) == nil, "\(refused)")
        }
    }

    @Test func listedResourcesAndTemplatesChangeOnlyTheirURI() throws {
        let resource = Resource(
            server: "fm", uri: "ui://widget/chart.html",
            definition: #"{ "uri" : "ui://widget/chart.html","mimeType":"text/html+skybridge","_meta":{"uri":"x:y"}}"#,
            discoveredAt: Self.now)
        #expect(
            ResourceDefinition.exposed(resource)?.text
                == #"{ "uri" : "ui://fm+widget/chart.html","mimeType":"text/html+skybridge","_meta":{"uri":"x:y"}}"#)
        let template = ResourceTemplate(
            server: "fm", uriTemplate: "fm://docs/{name}", definition: #"{"uriTemplate":"fm://docs/{name}","name":"docs"}"#,
            discoveredAt: Self.now)
        #expect(ResourceDefinition.exposed(template)?.text == #"{"uriTemplate":"fm+fm://docs/{name}","name":"docs"}"#)
        let broken = Resource(server: "fm", uri: "x", definition: #"{"uri":"x"}"#, discoveredAt: Self.now)
        #expect(ResourceDefinition.exposed(broken) == nil)
    }

    @Test func exposedPromptsAreRenamedAndNameTheirOrigin() throws {
        let prompt = Prompt(
            server: "fm", name: "sum.up", definition: #"{"name":"sum.up","arguments":[{"name":"text"}]}"#, discoveredAt: Self.now)
        #expect(
            PromptDefinition.exposed(prompt, as: "fm__sum_up").text
                == #"{"name":"fm__sum_up","arguments":[{"name":"text"}],"_meta":{"io.sentinel/origin":{"server":"fm","prompt":"sum.up"}}}"#)
        var withMeta = prompt
        withMeta.definition = #"{"name":"sum.up","_meta":{"k":1}}"#
        #expect(
            PromptDefinition.exposed(withMeta, as: "n").text
                == #"{"name":"n","_meta":{"io.sentinel/origin":{"server":"fm","prompt":"sum.up"},"k":1}}"#)
        withMeta.definition = #"{"name":"sum.up","_meta":{}}"#
        #expect(PromptDefinition.exposed(withMeta, as: "n").text == #"{"name":"n","_meta":{"io.sentinel/origin":{"server":"fm","prompt":"sum.up"}}}"#)
        withMeta.definition = #"{"name":"sum.up","_meta":{"io.sentinel/origin":{"server":"inner"}}}"#
        #expect(PromptDefinition.exposed(withMeta, as: "n").text == #"{"name":"n","_meta":{"io.sentinel/origin":{"server":"inner"}}}"#)
        withMeta.definition = "not json"
        let rebuilt = try PromptDefinition.exposed(withMeta, as: "n").decoded()
        #expect(rebuilt["name"] == "n" && rebuilt["_meta"]?["io.sentinel/origin"]?["prompt"] == "sum.up")
    }

    @Test func promptNamesFollowTheToolRulesInTheirOwnNamespace() {
        let names = ExposedPrompt.assignNames([(server: "fm", prompt: "sum.up"), (server: "fm", prompt: "sum_up"), (server: "sdk", prompt: "review")])
        #expect(names["sdk/review"] == "sdk__review")
        let collided = [names["fm/sum.up"], names["fm/sum_up"]]
        #expect(Set(collided).count == 2 && collided.allSatisfy { ($0?.utf8.count ?? 99) <= 64 })
        #expect(collided.contains("fm__sum_up") == false)  // both hashed, neither order-dependent
        let pinned = ExposedPrompt.assignNames([(server: "fm", prompt: "sum.up"), (server: "fm", prompt: "sum_up")], pinned: ["fm/sum.up": "fm__sum_up"])
        #expect(pinned["fm/sum.up"] == "fm__sum_up" && pinned["fm/sum_up"] != "fm__sum_up")
    }

    @Test func rulesCoverURIsByBytePrefixOnTheirServerOnly() {
        let all = ResourceRule(endpoint: "eng", server: "fm")
        let docs = ResourceRule(endpoint: "eng", server: "fm", prefix: "file:///docs/")
        #expect(all.covers(server: "fm", uri: "fm://docs/x") && all.covers(server: "fm", uri: "file:///README.md"))
        #expect(!all.covers(server: "sdk", uri: "file:///README.md"))
        #expect(docs.covers(server: "fm", uri: "file:///docs/a.md"))
        #expect(!docs.covers(server: "fm", uri: "file:///README.md") && !docs.covers(server: "fm", uri: "fm://docs/x"))
        #expect(!docs.covers(server: "fm", uri: "file:///docs"))
        // é composed vs decomposed: equal as Strings, different as URIs.
        let accented = ResourceRule(endpoint: "eng", server: "fm", prefix: "s:caf\u{e9}/")
        #expect(accented.covers(server: "fm", uri: "s:caf\u{e9}/x") && !accented.covers(server: "fm", uri: "s:cafe\u{301}/x"))
        #expect(docs.mappedPrefix == "fm+file:///docs/" && all.mappedPrefix == "fm+")
    }

    @Test func templatesAreListedWhenTheirLiteralPrefixMeetsARule() {
        let docs = ResourceRule(endpoint: "eng", server: "fm", prefix: "file:///docs/")
        #expect(docs.mayCover(server: "fm", uriTemplate: "file:///{+path}"))  // may expand into docs/
        #expect(docs.mayCover(server: "fm", uriTemplate: "file:///docs/{name}.md"))
        #expect(!docs.mayCover(server: "fm", uriTemplate: "file:///other/{name}"))
        #expect(!docs.mayCover(server: "fm", uriTemplate: "fm://docs/{name}"))
        #expect(!docs.mayCover(server: "sdk", uriTemplate: "file:///{+path}"))
        #expect(docs.mayCover(server: "fm", uriTemplate: "file:///docs/a.md"))  // no expression: a URI
        #expect(!docs.mayCover(server: "fm", uriTemplate: "file:///"))
        #expect(ResourceRule(endpoint: "eng", server: "fm").mayCover(server: "fm", uriTemplate: "{x}"))
    }

    @Test func capabilitiesAreReadFromTheUpstreamsObject() throws {
        let text = #"{"tools":{"listChanged":true},"prompts":{},"resources":{"subscribe":true,"listChanged":false},"completions":{},"x":1}"#
        let capabilities = try #require(ServerCapabilities(parsing: text))
        #expect(
            capabilities == ServerCapabilities(
                tools: true, toolsListChanged: true, prompts: true, promptsListChanged: false, resources: true,
                resourcesSubscribe: true, resourcesListChanged: false, completions: true, json: text))
        let none = try #require(ServerCapabilities(parsing: #"{"prompts":null,"resources":true,"completions":[]}"#))
        #expect(!none.prompts && !none.resources && !none.completions && !none.tools)
        #expect(ServerCapabilities(parsing: "[]") == nil && ServerCapabilities(parsing: "") == nil)
        let page = Array(#"{"capabilities": {"prompts":{"listChanged":true}} }"#.utf8)
        let members = try JSONScanner.members(of: page)
        let range: Range<Int> = try #require(members["capabilities"])
        let inPage = try #require(ServerCapabilities(bytes: page, in: range))
        #expect(inPage.promptsListChanged && inPage.json == #"{"prompts":{"listChanged":true}}"#)
    }

    @Test func aToolsUIMetaNamesItsResourcesAndVisibility() {
        let app = ToolUIMeta(definition: #"{"name":"refresh","_meta":{"ui":{"resourceUri":"ui://board/app.html","visibility":["app"]},"ui/resourceUri":"ui://board/app.html"}}"#)
        #expect(app.resourceURIs == ["ui://board/app.html"] && app.visibility == [.app])
        #expect(!app.isVisibleToModel && app.isCallableByApp)
        let openAI = ToolUIMeta(definition: #"{"name":"chart","_meta":{"openai/outputTemplate":"ui://widget/chart.html","fastmcp":{"tags":[]}}}"#)
        #expect(openAI.resourceURIs == ["ui://widget/chart.html"] && openAI.visibility == nil)
        #expect(openAI.isVisibleToModel && openAI.isCallableByApp)
        let modelOnly = ToolUIMeta(definition: #"{"name":"m","_meta":{"ui":{"visibility":["model","other"]}}}"#)
        #expect(modelOnly.isVisibleToModel && !modelOnly.isCallableByApp && modelOnly.resourceURIs.isEmpty)
        #expect(ToolUIMeta(definition: #"{"name":"m","_meta":{"ui":{"visibility":"app"}}}"#).visibility == nil)
        #expect(ToolUIMeta(definition: #"{"name":"plain"}"#) == ToolUIMeta())
        #expect(ToolUIMeta(definition: "garbage") == ToolUIMeta())
    }

    @Test func listKindsNameTheirNotifications() {
        #expect(MCPListKind.prompts.notificationMethod == "notifications/prompts/list_changed")
        #expect(MCPListKind.resources.listenFilterKey == "resourcesListChanged")
        #expect(MCPListKind.tools.listenFilterKey == "toolsListChanged")
        #expect(
            EndpointNotice.resourceUpdated(server: "sdk", owner: nil, upstreamURI: "counter://value")
                != .resourceUpdated(server: "sdk", owner: "alice", upstreamURI: "counter://value"))
    }

    @Test func surfaceDenialsAreNoticesWithTheirOwnMessageIDs() {
        for kind in [AuditEventKind.promptDenied, .resourceDenied, .completionDenied] { #expect(kind.priority == 5) }
        for kind in [AuditEventKind.promptGet, .resourceRead, .resourceSubscription, .completion] { #expect(kind.priority == 6) }
        #expect(AuditEventKind(messageID: "1403e4d4f4604c13b1a0c9e858ed2816") == .resourceRead)
        #expect(AuditField.upstreamURI.journalName == "SENTINEL_UPSTREAM_URI")
    }
}

/// What an endpoint's rules and enabled tools open.
struct ResourceAccessTests {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    @Test func rulesAndEnabledToolsUIOpenURIsAndSayWhy() {
        let docs = ResourceRule(endpoint: "eng", server: "fm", prefix: "file:///docs/")
        let show = Tool(
            server: "sdk", name: "show_board",
            definition: #"{"name":"show_board","inputSchema":{},"_meta":{"ui":{"resourceUri":"ui://board/app.html"}}}"#,
            discoveredAt: Self.now)
        let chart = Tool(
            server: "fm", name: "chart", definition: #"{"name":"chart","_meta":{"openai/outputTemplate":"ui://widget/chart.html"}}"#,
            discoveredAt: Self.now)
        let access = ResourceAccess(rules: [docs], enabledTools: [show, chart])
        #expect(access.reason(server: "fm", uri: "file:///docs/a.md") == .rule(docs))
        #expect(access.reason(server: "sdk", uri: "ui://board/app.html") == .toolUI(tool: "show_board"))
        #expect(access.reason(server: "fm", uri: "ui://widget/chart.html") == .toolUI(tool: "chart"))
        // Another server's page of the same URI, another page of the same server, or a URI outside the rule: closed.
        #expect(!access.isReadable(server: "fm", uri: "ui://board/app.html"))
        #expect(!access.isReadable(server: "sdk", uri: "ui://board/other.html"))
        #expect(!access.isReadable(server: "fm", uri: "file:///README.md"))
        #expect(!access.isReadable(server: "sdk", uri: "file:///docs/a.md"))
        #expect(access.listsTemplate(server: "fm", uriTemplate: "file:///docs/{name}"))
        #expect(!access.listsTemplate(server: "fm", uriTemplate: "fm://docs/{name}"))
        #expect(!ResourceAccess(rules: []).isReadable(server: "fm", uri: "file:///docs/a.md"))
    }
}
