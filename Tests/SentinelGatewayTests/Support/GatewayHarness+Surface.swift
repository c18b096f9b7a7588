import Foundation
import SentinelCore
@testable import SentinelStore

/// Two more servers for MCP Apps tests, attached to both endpoints, their tools not enabled:
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
            try await store.replaceCatalog(server: server, tools: entries.map { name, meta in
                let definition = meta.map { #"{"name":"\#(name)","inputSchema":{"type":"object"},"_meta":\#($0)}"# }
                return Tool(server: server, name: name, description: "does \(name)", definition: definition, discoveredAt: now)
            }, at: now)
            for endpoint in ["open", "eng"] { try await store.attach(server: server, to: endpoint) }
        }
        handler.catalog.invalidate()
    }

    /// Enables tools (`SERVER/TOOL`) on `endpoint` and drops the cached snapshot.
    func enable(_ tools: [String], endpoint: String = "open", enabled: Bool = true) async throws {
        _ = try await store.setTools(endpoint: endpoint, tools: tools, allOf: [], enabled: enabled)
        handler.catalog.invalidate()
    }
}
