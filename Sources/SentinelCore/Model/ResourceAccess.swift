/// Which upstream resources one endpoint opens, and why: the one place that decides a `resources/read`,
/// a subscription, a listed resource or template, and the STATE column of `sentinelctl endpoint resources`.
///
/// A concrete upstream URI is readable when a rule of its server covers it (`ResourceRule.covers`) or when
/// it is the UI resource of a tool enabled on the endpoint, on the same server (`ToolUIMeta`: enabling an
/// MCP App's tool is enough to read its page). A template is listed when some rule may cover one of its URIs.
public struct ResourceAccess: Sendable, Equatable {
    /// Why a URI is readable.
    public enum Reason: Sendable, Hashable {
        /// A resource rule opens it (the first, in the order given, that covers it).
        case rule(ResourceRule)
        /// It is the UI resource of this enabled tool (its upstream name).
        case toolUI(tool: String)
    }

    /// One UI resource of an enabled tool.
    public struct UIResource: Sendable, Hashable {
        public var server: String
        public var tool: String
        public var uri: String

        public init(server: String, tool: String, uri: String) {
            self.server = server
            self.tool = tool
            self.uri = uri
        }
    }

    public var rules: [ResourceRule]
    public var uiResources: [UIResource]

    public init(rules: [ResourceRule], uiResources: [UIResource] = []) {
        self.rules = rules
        self.uiResources = uiResources
    }

    /// The UI resources of enabled tools, read from their definitions (`ToolUIMeta`).
    public init(rules: [ResourceRule], enabledTools: [Tool]) {
        var ui: [UIResource] = []
        for tool in enabledTools {
            for uri in ToolUIMeta(definition: tool.definition).resourceURIs {
                ui.append(UIResource(server: tool.server, tool: tool.name, uri: uri))
            }
        }
        self.init(rules: rules, uiResources: ui)
    }

    /// Why the upstream URI `uri` of `server` is readable, or nil when it is not. A rule wins over a tool's UI.
    /// URIs are compared byte for byte.
    public func reason(server: String, uri: String) -> Reason? {
        if let rule = rules.first(where: { $0.covers(server: server, uri: uri) }) { return .rule(rule) }
        if let ui = uiResources.first(where: { $0.server == server && $0.uri.utf8.elementsEqual(uri.utf8) }) {
            return .toolUI(tool: ui.tool)
        }
        return nil
    }

    /// Whether the upstream URI `uri` of `server` may be read (and subscribed to) through the endpoint.
    public func isReadable(server: String, uri: String) -> Bool {
        reason(server: server, uri: uri) != nil
    }

    /// Whether the upstream template `uriTemplate` of `server` is listed (a read is still checked per URI).
    public func listsTemplate(server: String, uriTemplate: String) -> Bool {
        rules.contains { $0.mayCover(server: server, uriTemplate: uriTemplate) }
    }
}
