/// Protocol constants the gateway negotiates with clients.
enum MCPProtocol {
    /// Handshake-era versions, newest first.
    static let handshakeVersions = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]
    static let modernVersion = "2026-07-28"
    static var allVersions: [String] { handshakeVersions.reversed() + [modernVersion] }
    /// What a request without MCP-Protocol-Version is assumed to speak (2025-11-25 transport rules).
    static let assumedVersion = "2025-03-26"

    static let versionKey = "io.modelcontextprotocol/protocolVersion"
    static let clientInfoKey = "io.modelcontextprotocol/clientInfo"
    static let clientCapabilitiesKey = "io.modelcontextprotocol/clientCapabilities"
    static let serverInfoKey = "io.modelcontextprotocol/serverInfo"
    static let subscriptionIDKey = "io.modelcontextprotocol/subscriptionId"

    /// Versions that still allow JSON-RPC batches.
    static func allowsBatches(_ version: String) -> Bool {
        version == "2025-03-26" || version == "2024-11-05"
    }
}
