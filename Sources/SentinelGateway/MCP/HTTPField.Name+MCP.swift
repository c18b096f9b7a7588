import HTTPTypes
import SentinelCore

extension HTTPField.Name {
    static let mcpProtocolVersion = Self(MCPProtocol.Header.protocolVersion)!
    static let mcpSessionID = Self(MCPProtocol.Header.sessionID)!
    static let mcpMethod = Self(MCPProtocol.Header.method)!
    static let mcpName = Self(MCPProtocol.Header.name)!
}
