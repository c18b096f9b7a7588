import Foundation
import Hummingbird
import SentinelCore
import SentinelStore

/// `tools/list`, paged, from the endpoint's cached catalog; and the paging every list of the endpoint shares.
extension MCPEndpointHandler {
    func toolsList(_ message: JSONRPCMessage, id: RawJSON, exchange: MCPExchange) -> Response {
        listPage(message, id: id, exchange: exchange, "tools", elements: exchange.snapshot.toolDefinitions(for: exchange.capabilities))
    }

    /// One page of a list the endpoint serves from its snapshot (`tools`, `prompts`, `resources`,
    /// `resourceTemplates`): offset cursors, `nextCursor` while more follow, and in 2026-07-28 `ttlMs: 0` with
    /// `cacheScope: "private"` on every page: what a list shows depends on the token's endpoint and may change with
    /// any enablement (a client may reconnect with only `server/discover`, so no cached list counts as fresh).
    func listPage(_ message: JSONRPCMessage, id: RawJSON, exchange: MCPExchange, _ name: String, elements: [RawJSON]) -> Response {
        let pageSize = exchange.settings.toolsPageSize
        var start = 0
        if let cursorRange = message.paramsMembers["cursor"] {
            guard let cursor = message.decode(cursorRange)?.stringValue, let offset = Self.offset(fromCursor: cursor),
                offset <= elements.count
            else {
                return MCPReplies.json(MCPReplies.invalidParams(id: id, "invalid cursor"))
            }
            start = offset
        }
        let end = min(elements.count, start + pageSize)
        var members: [(String, RawJSON)] = []
        if end < elements.count { members.append(("nextCursor", RawJSON(string: Self.cursor(offset: end)))) }
        if exchange.era == .modern { members += MCPReplies.cacheMembers(scope: .private) }
        return exchange.replies.listResponse(id: id, name, elements: elements[start..<end], then: members)
    }

    /// The `tools/list` entry of one tool: the upstream's object, renamed (see `ToolDefinition`), with the URIs of
    /// its MCP Apps pages mapped as the endpoint shows them (`ContentURIRewriter.toolDefinition`).
    static func toolDefinition(_ exposed: ExposedTool) -> RawJSON {
        ContentURIRewriter.toolDefinition(ToolDefinition.exposed(exposed.tool, as: exposed.exposedName), server: exposed.tool.server)
    }

    static func cursor(offset: Int) -> String {
        Data("o:\(offset)".utf8).base64EncodedString()
    }

    static func offset(fromCursor cursor: String) -> Int? {
        guard let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8), text.hasPrefix("o:")
        else { return nil }
        return Int(text.dropFirst(2)).flatMap { $0 >= 0 ? $0 : nil }
    }
}
