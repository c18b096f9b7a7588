import Foundation
import Hummingbird
import SentinelCore
import SentinelStore

/// `tools/list`, paged, from the endpoint's cached catalog.
extension MCPEndpointHandler {
    func toolsList(_ message: JSONRPCMessage, id: RawJSON, exchange: MCPExchange) -> Response {
        let tools = exchange.snapshot.toolDefinitions
        let pageSize = exchange.settings.toolsPageSize
        var start = 0
        if let cursorRange = message.paramsMembers["cursor"] {
            guard let cursor = message.decode(cursorRange)?.stringValue, let offset = Self.offset(fromCursor: cursor),
                offset <= tools.count
            else {
                return MCPReplies.json(MCPReplies.invalidParams(id: id, "invalid cursor"))
            }
            start = offset
        }
        let end = min(tools.count, start + pageSize)
        var members: [(String, RawJSON)] = []
        if end < tools.count { members.append(("nextCursor", RawJSON(string: Self.cursor(offset: end)))) }
        if exchange.era == .modern { members += MCPReplies.cacheMembers(scope: .private) }
        return exchange.replies.listResponse(id: id, "tools", elements: tools[start..<end], then: members)
    }

    /// The `tools/list` entry of one tool: the upstream's object, renamed (see `ToolDefinition`).
    static func toolDefinition(_ exposed: ExposedTool) -> RawJSON {
        ToolDefinition.exposed(exposed.tool, as: exposed.exposedName)
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
