import Hummingbird
import SentinelCore

/// `server/discover` (2026-07-28).
extension MCPEndpointHandler {
    /// What `server/discover` advertises. A client may reconnect with only this request (claude.ai does):
    /// `tools.listChanged` says a `subscriptions/listen` stream announces changes, and `ttlMs: 0` on this
    /// and on `tools/list` says no cached list is fresh, so the next `tools/list` shows the current tools.
    func serverDiscover(id: RawJSON, exchange: MCPExchange) -> Response {
        let replies = exchange.replies
        return replies.resultResponse(id: id, [
            ("supportedVersions", RawJSON(JSONValue(MCPProtocol.allVersions))),
            ("capabilities", Self.capabilities),
            ("serverInfo", replies.serverInfo),
            ("instructions", RawJSON(string: replies.instructions)),
        ] + MCPReplies.cacheMembers(scope: .public))
    }

    /// The capabilities an endpoint declares (`initialize`, `server/discover`).
    static let capabilities = RawJSON(["tools": ["listChanged": true]] as JSONValue)
}
