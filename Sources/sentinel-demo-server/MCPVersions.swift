import SentinelCore

/// The MCP protocol revisions and envelope keys this server knows (named once, in `MCPProtocol`).
enum MCPVersions {
    /// Revisions negotiated through `initialize`, oldest first.
    static let handshake = Array(MCPProtocol.handshakeVersions.reversed())
    /// What `initialize` answers when the client asks for a revision not in `handshake`.
    static let latestHandshake = MCPProtocol.latestHandshakeVersion
    /// Revisions served through the per-request `_meta` envelope (no initialize).
    static let modern = [MCPProtocol.modernVersion]
    /// The `supportedVersions` list `server/discover` advertises (2024-11-05 is served through initialize only).
    static let discoverable = Array(handshake.dropFirst()) + modern

    static let protocolVersionKey = MCPProtocol.versionKey
    static let clientCapabilitiesKey = MCPProtocol.clientCapabilitiesKey
    static let serverInfoKey = MCPProtocol.serverInfoKey
}
