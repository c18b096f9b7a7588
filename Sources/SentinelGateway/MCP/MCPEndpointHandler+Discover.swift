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

    /// The capabilities an endpoint declares (`initialize`, `server/discover`): every kind of list, each announcing its
    /// changes, and completion; the same whatever is enabled (lists may be empty; stable capabilities beat ones that
    /// change with an administrator's choices). No `resources.subscribe`: resource subscriptions are not served yet.
    static let capabilities = RawJSON.object([
        ("tools", RawJSON(["listChanged": true] as JSONValue)),
        ("prompts", RawJSON(["listChanged": true] as JSONValue)),
        ("resources", RawJSON(["listChanged": true] as JSONValue)),
        ("completions", RawJSON.emptyObject),
    ])
}
