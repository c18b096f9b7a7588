/// The MCP protocol revisions and envelope keys this server knows.
enum MCPVersions {
    /// Revisions negotiated through `initialize`, oldest first.
    static let handshake = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"]
    /// What `initialize` answers when the client asks for a revision not in `handshake`.
    static let latestHandshake = "2025-11-25"
    /// Revisions served through the per-request `_meta` envelope (no initialize).
    static let modern = ["2026-07-28"]
    /// The `supportedVersions` list `server/discover` advertises.
    static let discoverable = ["2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"]

    static let protocolVersionKey = "io.modelcontextprotocol/protocolVersion"
    static let clientCapabilitiesKey = "io.modelcontextprotocol/clientCapabilities"
    static let serverInfoKey = "io.modelcontextprotocol/serverInfo"
}
