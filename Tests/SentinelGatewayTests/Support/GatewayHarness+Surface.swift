import Foundation
import SentinelCore
@testable import SentinelGateway
@testable import SentinelStore

/// Two more servers for MCP Apps, prompt, resource and completion tests, attached to both endpoints, nothing of theirs
/// enabled (their prompts, resources and templates: `surface(of:at:)`):
/// - `sdk`: `show_board` (page `ui://board/app.html`), `refresh_board` (same page, app-only), `bump` (no page),
///   `peek` (model-only, same page), `ghost` and `relic` (pages the upstream says are missing: -32602, -32002),
///   `link` (answers resource content blocks, see `FakeUpstreams`);
/// - `fm`: `chart` (OpenAI output template `ui://widget/chart.html`), `refresh_board` (app-only).
extension GatewayHarness {
    static let boardPage = "ui://board/app.html"
    static let chartPage = "ui://widget/chart.html"

    func addAppServers() async throws {
        let now = Date()
        let tools: [String: [(String, String?)]] = [
            "sdk": [
                ("show_board", #"{"ui":{"resourceUri":"ui://board/app.html"}}"#),
                ("refresh_board", #"{"ui":{"resourceUri":"ui://board/app.html","visibility":["app"]}}"#),
                ("bump", nil),
                ("peek", #"{"ui":{"resourceUri":"ui://board/app.html","visibility":["model"]}}"#),
                ("ghost", #"{"ui":{"resourceUri":"ui://board/missing.html"}}"#),
                ("relic", #"{"ui":{"resourceUri":"ui://board/gone.html"}}"#),
                ("link", nil),
            ],
            "fm": [
                ("chart", #"{"openai/outputTemplate":"ui://widget/chart.html"}"#),
                ("refresh_board", #"{"ui":{"resourceUri":"ui://widget/chart.html","visibility":["app"]}}"#),
            ],
        ]
        for (server, entries) in tools.sorted(by: { $0.key < $1.key }) {
            _ = try await store.addServer(Server(
                name: server, transport: .stdio, command: ["/bin/true"], callTimeoutSeconds: Self.callTimeoutSeconds,
                createdAt: now, updatedAt: now))
            let catalog = entries.map { name, meta in
                let definition = meta.map { #"{"name":"\#(name)","inputSchema":{"type":"object"},"_meta":\#($0)}"# }
                return Tool(server: server, name: name, description: "does \(name)", definition: definition, discoveredAt: now)
            }
            try await store.replaceCatalog(server: server, tools: catalog, surface: Self.surface(of: server, at: now), at: now)
            for endpoint in ["open", "eng"] { try await store.attach(server: server, to: endpoint) }
        }
        handler.catalog.invalidate()
    }

    /// The prompts, resources and templates of `sdk` and `fm`: both have `file:///README.md` (the collision the URI map
    /// resolves); `sdk` has prompts `review(code)` and `draft`, resources `counter://value` (the fake answers it with
    /// cache hints), `missing://x` (the fake says not found) and its board page, template `notes://{topic}`; `fm` has
    /// prompt `summarize`, resource `fm://docs/intro` and template `fm://docs/{name}`.
    static func surface(of server: String, at now: Date) -> ServerSurface {
        func prompt(_ name: String) -> Prompt {
            Prompt(server: server, name: name, definition: #"{"name":"\#(name)","arguments":[{"name":"code","required":true}]}"#, discoveredAt: now)
        }
        func resource(_ uri: String) -> Resource {
            Resource(server: server, uri: uri, definition: #"{"uri":"\#(uri)","name":"\#(uri)","mimeType":"text/plain"}"#, discoveredAt: now)
        }
        func template(_ uriTemplate: String) -> ResourceTemplate {
            ResourceTemplate(server: server, uriTemplate: uriTemplate, definition: #"{"uriTemplate":"\#(uriTemplate)","name":"t"}"#, discoveredAt: now)
        }
        switch server {
        case "sdk":
            return ServerSurface(
                prompts: [prompt("review"), prompt("draft")],
                resources: [resource("file:///README.md"), resource("counter://value"), resource("missing://x"), resource(boardPage)],
                templates: [template("notes://{topic}")])
        default:
            return ServerSurface(
                prompts: [prompt("summarize")], resources: [resource("file:///README.md"), resource("fm://docs/intro")],
                templates: [template("fm://docs/{name}")])
        }
    }

    /// Enables prompts (`SERVER/PROMPT`) on `endpoint` and drops the cached snapshot.
    func enablePrompts(_ prompts: [String], endpoint: String = "open", enabled: Bool = true) async throws {
        _ = try await store.setPrompts(endpoint: endpoint, prompts: prompts, allOf: [], enabled: enabled)
        handler.catalog.invalidate()
    }

    /// Adds resource rules (server, upstream URI prefix) on `endpoint` and drops the cached snapshot.
    func openResources(_ rules: [(String, String)], endpoint: String = "open") async throws {
        _ = try await store.setResourceRules(
            endpoint: endpoint, rules: rules.map { ResourceRule(endpoint: endpoint, server: $0.0, prefix: $0.1) }, enabled: true)
        handler.catalog.invalidate()
    }

    /// Enables tools (`SERVER/TOOL`) on `endpoint` and drops the cached snapshot.
    func enable(_ tools: [String], endpoint: String = "open", enabled: Bool = true) async throws {
        _ = try await store.setTools(endpoint: endpoint, tools: tools, allOf: [], enabled: enabled)
        handler.catalog.invalidate()
    }
}
