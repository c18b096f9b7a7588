public import SentinelCore

/// What one endpoint exposes, as the data plane needs it on every request: its enabled tools and prompts, the
/// resources and templates it lists, and what it lets clients read. Every list entry is serialised once per snapshot
/// (renamed, URIs mapped), so that listing costs a copy, not a serialisation per entry and request.
public struct EndpointSnapshot: Sendable {
    public let endpoint: Endpoint
    /// Enabled tools in catalog order (the order of `tools/list`).
    public let enabled: [ExposedTool]
    /// Every catalog tool by exposed name, enabled or not (to tell "disabled" from "unknown").
    public let byName: [String: ExposedTool]
    /// The endpoint's servers by name.
    public let servers: [String: Server]
    /// Enabled prompts in catalog order (the order of `prompts/list`).
    public let prompts: [ExposedPrompt]
    /// Every catalog prompt by exposed name, enabled or not.
    public let promptsByName: [String: ExposedPrompt]
    /// What the endpoint's resource rules and enabled tools' UI resources open (`resources/read`, completion).
    public let access: ResourceAccess
    /// The templates `resources/templates/list` shows, in catalog order.
    public let templates: [ResourceTemplate]
    /// The `tools/list` entry of each enabled tool, in `enabled` order: renamed, MCP Apps UI URIs mapped.
    let toolDefinitions: [RawJSON]
    /// `toolDefinitions` without app-only tools (`visibility: ["app"]`), for a client that declared its capabilities
    /// without the MCP Apps extension: no host of its would keep them from the model.
    let modelToolDefinitions: [RawJSON]
    /// The `Mcp-Param-*` headers each enabled tool's input schema declares (`x-mcp-header`), by exposed
    /// name; tools that declare none are absent. Read once per snapshot, not per call.
    let paramHeaders: [String: [MCPParamHeader]]
    /// Enabled tools an MCP App may call by their upstream name (its view knows no other): callable by apps, on a
    /// server with an enabled tool that has a `ui://` page. More than one under a name makes that name ambiguous.
    let appTools: [String: [ExposedTool]]
    /// The `prompts/list` entry of each enabled prompt, in `prompts` order.
    let promptDefinitions: [RawJSON]
    /// The `resources/list` entry of each readable cataloged resource (URI mapped), in catalog order.
    let resourceDefinitions: [RawJSON]
    /// The `resources/templates/list` entry of each of `templates` (URI template mapped).
    let templateDefinitions: [RawJSON]

    init(
        endpoint: Endpoint, enabled: [ExposedTool], byName: [String: ExposedTool], servers: [String: Server],
        prompts: [ExposedPrompt] = [], access: ResourceAccess = ResourceAccess(rules: []), resources: [Resource] = [],
        templates: [ResourceTemplate] = []
    ) {
        self.endpoint = endpoint
        self.enabled = enabled
        self.byName = byName
        self.servers = servers
        self.access = access

        var toolDefinitions: [RawJSON] = []
        var modelToolDefinitions: [RawJSON] = []
        var paramHeaders: [String: [MCPParamHeader]] = [:]
        var ui: [String: ToolUIMeta] = [:]
        var serversWithPages: Set<String> = []
        for exposed in enabled {
            let definition = MCPEndpointHandler.toolDefinition(exposed)
            toolDefinitions.append(definition)
            let meta = ToolUIMeta(definition: exposed.tool.definition)
            ui[exposed.exposedName] = meta
            if meta.isVisibleToModel { modelToolDefinitions.append(definition) }
            if meta.resourceURIs.contains(where: { $0.lowercased().hasPrefix("ui://") }) { serversWithPages.insert(exposed.tool.server) }
            if exposed.tool.inputSchema.contains(MCPParamHeader.annotation), let schema = try? JSONValue.parse(exposed.tool.inputSchema) {
                let declared = MCPParamHeader.declared(by: schema)
                if !declared.isEmpty { paramHeaders[exposed.exposedName] = declared }
            }
        }
        var appTools: [String: [ExposedTool]] = [:]
        for exposed in enabled where serversWithPages.contains(exposed.tool.server) && ui[exposed.exposedName]?.isCallableByApp == true {
            appTools[exposed.tool.name, default: []].append(exposed)
        }
        self.toolDefinitions = toolDefinitions
        self.modelToolDefinitions = modelToolDefinitions
        self.paramHeaders = paramHeaders
        self.appTools = appTools

        let enabledPrompts = prompts.filter(\.enabled)
        self.prompts = enabledPrompts
        self.promptsByName = Dictionary(prompts.map { ($0.exposedName, $0) }, uniquingKeysWith: { first, _ in first })
        self.promptDefinitions = enabledPrompts.map { PromptDefinition.exposed($0.prompt, as: $0.exposedName) }
        self.resourceDefinitions = resources.filter { access.isReadable(server: $0.server, uri: $0.uri) }
            .compactMap(ResourceDefinition.exposed)
        let listed = templates.filter { access.listsTemplate(server: $0.server, uriTemplate: $0.uriTemplate) }
        var templateDefinitions: [RawJSON] = []
        var listedTemplates: [ResourceTemplate] = []
        for template in listed {
            guard let definition = ResourceDefinition.exposed(template) else { continue }
            templateDefinitions.append(definition)
            listedTemplates.append(template)
        }
        self.templates = listedTemplates
        self.templateDefinitions = templateDefinitions
    }

    /// The `tools/list` entries for a client that declared `capabilities`: every enabled tool for one that can show
    /// MCP Apps, or that declared nothing (a handshake-era client without a session); otherwise without app-only tools.
    func toolDefinitions(for capabilities: MCPClientCapabilities) -> [RawJSON] {
        capabilities.declared && !capabilities.appsExtension ? modelToolDefinitions : toolDefinitions
    }
}
