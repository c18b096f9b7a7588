/// One rule that opens resources of a server on an endpoint: every upstream URI that starts with `prefix`
/// (compared byte for byte; `""` is every resource and template of the server).
///
/// Resources are off until a rule opens them. A concrete URI is readable on an endpoint when a rule of its
/// server covers it, or when it is the UI resource of a tool enabled there (`ToolUIMeta`; enabling an MCP
/// App's tool is enough to read its page). Templates are listed when they may name a covered URI
/// (`mayCover(uriTemplate:)`); each read is still checked URI by URI.
public struct ResourceRule: Sendable, Hashable, Codable {
    public var endpoint: String
    public var server: String
    /// An upstream URI prefix, as the upstream spells its URIs.
    public var prefix: String

    public init(endpoint: String, server: String, prefix: String = "") {
        self.endpoint = endpoint
        self.server = server
        self.prefix = prefix
    }

    /// Whether the rule opens the upstream URI `uri` of `server`.
    public func covers(server: String, uri: String) -> Bool {
        server == self.server && uri.utf8.starts(with: prefix.utf8)
    }

    /// Whether some URI the upstream template `uriTemplate` of `server` expands to may be covered: its
    /// literal prefix (the text before the first `{`) and the rule's prefix are prefix-compatible.
    public func mayCover(server: String, uriTemplate: String) -> Bool {
        guard server == self.server else { return false }
        let literal = uriTemplate.utf8.prefix(while: { $0 != UInt8(ascii: "{") })
        guard literal.count < uriTemplate.utf8.count else { return literal.starts(with: prefix.utf8) }
        return literal.starts(with: prefix.utf8) || prefix.utf8.starts(with: literal)
    }

    /// The prefix as `sentinelctl endpoint resources` shows it (`ResourceURIMap.mapPrefix`).
    public var mappedPrefix: String { ResourceURIMap.mapPrefix(server: server, prefix: prefix) }
}
