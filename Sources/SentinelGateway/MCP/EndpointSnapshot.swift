public import SentinelCore

/// What one endpoint exposes, as the data plane needs it on every request.
public struct EndpointSnapshot: Sendable {
    public let endpoint: Endpoint
    /// Enabled tools in catalog order (the order of `tools/list`).
    public let enabled: [ExposedTool]
    /// Every catalog tool by exposed name, enabled or not (to tell "disabled" from "unknown").
    public let byName: [String: ExposedTool]
    /// The endpoint's servers by name.
    public let servers: [String: Server]
    /// The `tools/list` entry of each enabled tool, in `enabled` order, serialised once per snapshot
    /// so that listing costs a copy, not a serialisation per tool and request.
    let toolDefinitions: [RawJSON]
    /// The `Mcp-Param-*` headers each enabled tool's input schema declares (`x-mcp-header`), by exposed
    /// name; tools that declare none are absent. Read once per snapshot, not per call.
    let paramHeaders: [String: [MCPParamHeader]]

    init(endpoint: Endpoint, enabled: [ExposedTool], byName: [String: ExposedTool], servers: [String: Server]) {
        self.endpoint = endpoint
        self.enabled = enabled
        self.byName = byName
        self.servers = servers
        self.toolDefinitions = enabled.map(MCPEndpointHandler.toolDefinition)
        var paramHeaders: [String: [MCPParamHeader]] = [:]
        for exposed in enabled where exposed.tool.inputSchema.contains(MCPParamHeader.annotation) {
            guard let schema = try? JSONValue.parse(exposed.tool.inputSchema) else { continue }
            let declared = MCPParamHeader.declared(by: schema)
            if !declared.isEmpty { paramHeaders[exposed.exposedName] = declared }
        }
        self.paramHeaders = paramHeaders
    }
}
