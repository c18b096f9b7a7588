/// The MCP protocol revisions, `_meta` keys and HTTP header names Sentinel speaks, defined once
/// for the gateway, the upstream clients and the demo server.
public enum MCPProtocol {
    /// Handshake-era versions (negotiated by `initialize`), newest first.
    public static let handshakeVersions = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]
    /// The newest handshake-era version, answered to an `initialize` asking for an unknown one.
    public static let latestHandshakeVersion = handshakeVersions[0]
    /// The modern (stateless, per-request `_meta`) version.
    public static let modernVersion = "2026-07-28"
    /// Every version served, oldest first (the `supported` list of -32022 and of `server/discover`).
    public static var allVersions: [String] { handshakeVersions.reversed() + [modernVersion] }
    /// What a request without `MCP-Protocol-Version` is assumed to speak (2025-11-25 transport rules).
    public static let assumedVersion = "2025-03-26"

    /// The prefix of the `_meta` keys MCP itself defines (each hop sets its own).
    public static let metaPrefix = "io.modelcontextprotocol/"
    /// `_meta` keys of the per-request envelope (2026-07-28 basic/index "_meta").
    public static let versionKey = "io.modelcontextprotocol/protocolVersion"
    public static let clientInfoKey = "io.modelcontextprotocol/clientInfo"
    public static let clientCapabilitiesKey = "io.modelcontextprotocol/clientCapabilities"
    /// The `_meta` key of a result that names the server that produced it.
    public static let serverInfoKey = "io.modelcontextprotocol/serverInfo"
    public static let subscriptionIDKey = "io.modelcontextprotocol/subscriptionId"

    /// HTTP headers of the Streamable HTTP transport.
    public enum Header {
        public static let protocolVersion = "MCP-Protocol-Version"
        public static let sessionID = "Mcp-Session-Id"
        public static let method = "Mcp-Method"
        public static let name = "Mcp-Name"
        /// Prefix of the headers that mirror `x-mcp-header` tool arguments (`Mcp-Param-{Name}`).
        public static let parameterPrefix = "Mcp-Param-"
    }

    /// The `params` member mirrored into `Mcp-Name` for `method`, when it has one.
    public static func nameParameter(of method: String) -> String? {
        switch method {
        case "tools/call", "prompts/get": "name"
        case "resources/read": "uri"
        default: nil
        }
    }

    /// Versions that still allow JSON-RPC batches.
    public static func allowsBatches(_ version: String) -> Bool {
        version == "2025-03-26" || version == "2024-11-05"
    }

    /// Whether `version` is one of the handshake era.
    public static func isHandshake(_ version: String) -> Bool {
        handshakeVersions.contains(version)
    }
}
