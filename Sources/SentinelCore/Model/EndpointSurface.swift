/// Everything one endpoint can show its clients, read from the store at one moment: the endpoint, every
/// catalog tool and prompt of its servers with its exposed name and state, its resource rules, the cataloged
/// resources and templates of its servers, and what each server declared it offers.
///
/// Resources and templates are every cataloged one of the attached servers, whether readable or not:
/// `ResourceAccess` (built from `rules` and the enabled tools) decides what is listed and readable.
public struct EndpointSurface: Sendable, Equatable {
    public var endpoint: Endpoint
    /// In `toolSelections` order.
    public var tools: [ExposedTool]
    /// In `promptSelections` order.
    public var prompts: [ExposedPrompt]
    /// In `resourceRules` order.
    public var rules: [ResourceRule]
    /// Ordered by server name, then catalog order.
    public var resources: [Resource]
    /// Ordered by server name, then catalog order.
    public var templates: [ResourceTemplate]
    /// By server name; a server whose capabilities were never recorded is absent.
    public var capabilities: [String: ServerCapabilities]

    public init(
        endpoint: Endpoint, tools: [ExposedTool] = [], prompts: [ExposedPrompt] = [], rules: [ResourceRule] = [],
        resources: [Resource] = [], templates: [ResourceTemplate] = [], capabilities: [String: ServerCapabilities] = [:]
    ) {
        self.endpoint = endpoint
        self.tools = tools
        self.prompts = prompts
        self.rules = rules
        self.resources = resources
        self.templates = templates
        self.capabilities = capabilities
    }

    /// What the endpoint's rules and enabled tools open.
    public var access: ResourceAccess {
        ResourceAccess(rules: rules, enabledTools: tools.filter(\.enabled).map(\.tool))
    }
}
