/// What a catalog refresh found on a server besides its tools: its prompts, resources, resource templates
/// and the capabilities it declared.
///
/// A nil part was not fetched (the server did not declare the kind, or the refresh left it alone) and is
/// kept as stored; an empty array replaces what was stored with nothing.
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
