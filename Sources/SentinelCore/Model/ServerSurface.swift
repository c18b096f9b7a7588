/// What a catalog refresh found on a server besides its tools: its prompts, resources, resource templates
/// and the capabilities it declared.
///
/// A nil part was not fetched (fetching it failed, or the refresh left it alone) and is kept as stored; an
/// empty array replaces what was stored with nothing (the catalog stores one for a kind the server did not
/// declare, so what it offered before does not linger).
public struct ServerSurface: Sendable, Equatable {
    public var prompts: [Prompt]?
    public var resources: [Resource]?
    public var templates: [ResourceTemplate]?
    public var capabilities: ServerCapabilities?

    public init(
        prompts: [Prompt]? = nil, resources: [Resource]? = nil, templates: [ResourceTemplate]? = nil,
        capabilities: ServerCapabilities? = nil
    ) {
        self.prompts = prompts
        self.resources = resources
        self.templates = templates
        self.capabilities = capabilities
    }
}
