import SentinelCore

extension ManagerAPI {
    /// One rule that opens a server's resources on an endpoint: every upstream URI that starts with `prefix`.
    public struct ResourceRule: Codable, Sendable, Equatable {
        public var server: String
        /// An upstream URI prefix, as the server spells its URIs; `""` is every resource and template.
        public var prefix: String
        /// The prefix as clients see URIs (`ResourceURIMap.mapPrefix`): `sdk+file:///docs/`, `ui://sdk+board/`.
        public var mappedPrefix: String

        public init(server: String, prefix: String, mappedPrefix: String) {
            self.server = server
            self.prefix = prefix
            self.mappedPrefix = mappedPrefix
        }

        enum CodingKeys: String, CodingKey {
            case server, prefix
            case mappedPrefix = "mapped_prefix"
        }
    }

    /// How `EnableResources` and `DisableResources` name a rule: a server with an optional upstream URI
    /// prefix, or a mapped prefix as `ListResourceRules` shows it (then without server and prefix).
    public struct ResourceRuleSpec: Codable, Sendable, Equatable {
        public var server: String?
        public var prefix: String?
        public var mapped: String?

        public init(server: String? = nil, prefix: String? = nil, mapped: String? = nil) {
            self.server = server
            self.prefix = prefix
            self.mapped = mapped
        }

        /// A rule as `sentinelctl endpoint enable --resources` takes it: `SERVER` (everything), `SERVER:PREFIX`
        /// (split at the first `:`, the upstream's own spelling: `notes:file:///docs/`), or a mapped prefix
        /// (`notes+file:///docs/`, `ui://notes+board/`), recognised by `ResourceURIMap.unmapPrefix`.
        public init(argument: String) {
            if ResourceURIMap.unmapPrefix(argument) != nil {
                self.init(mapped: argument)
            } else if let colon = argument.firstIndex(of: ":") {
                self.init(server: String(argument[..<colon]), prefix: String(argument[argument.index(after: colon)...]))
            } else {
                self.init(server: argument)
            }
        }
    }

    /// Whether a catalog entry is one resource or a URI template (RFC 6570).
    public enum ResourceKind: String, Codable, Sendable, Equatable {
        case resource, template
    }

    /// What lets clients read a resource on an endpoint (`ResourceAccess`).
    public enum ResourceState: String, Codable, Sendable, Equatable {
        /// A resource rule opens it (`rule` names the rule's mapped prefix).
        case rule
        /// It is the UI page of an enabled tool of its server (`tool` names it): MCP Apps.
        case tool
        /// Nothing opens it: clients neither see nor read it.
        case off
    }

    /// One cataloged resource or template of an endpoint's servers, with the URI clients see and its state.
    public struct ResourceSelection: Codable, Sendable, Equatable {
        /// The URI (or URI template) clients see.
        public var uri: String
        /// The URI (or URI template) as the server spells it.
        public var upstreamURI: String
        public var server: String
        public var kind: ResourceKind
        public var name: String?
        public var mimeType: String?
        public var state: ResourceState
        /// State rule: the mapped prefix of the rule that opens it.
        public var rule: String?
        /// State tool: the upstream name of the enabled tool whose UI it is.
        public var tool: String?

        public init(
            uri: String, upstreamURI: String, server: String, kind: ResourceKind, name: String? = nil, mimeType: String? = nil,
            state: ResourceState, rule: String? = nil, tool: String? = nil
        ) {
            self.uri = uri
            self.upstreamURI = upstreamURI
            self.server = server
            self.kind = kind
            self.name = name
            self.mimeType = mimeType
            self.state = state
            self.rule = rule
            self.tool = tool
        }

        enum CodingKeys: String, CodingKey {
            case uri, server, kind, name, state, rule, tool
            case upstreamURI = "upstream_uri"
            case mimeType = "mime_type"
        }
    }

    /// The parameters of `EnableResources` and `DisableResources`.
    public struct ResourceChange: Codable, Sendable, Equatable {
        public var endpoint: String
        public var rules: [ResourceRuleSpec]

        public init(endpoint: String, rules: [ResourceRuleSpec]) {
            self.endpoint = endpoint
            self.rules = rules
        }
    }

    /// The reply of `EnableResources` and `DisableResources`: the rules added or removed.
    public struct ResourceChangeReply: Codable, Sendable, Equatable {
        public var changed: [ResourceRule]
        public init(changed: [ResourceRule]) { self.changed = changed }
    }

    public enum ListResourceRules: ManagerMethod {
        public static let name = "ListResourceRules"

        public struct Parameters: Codable, Sendable, Equatable {
            public var endpoint: String
            public init(endpoint: String) { self.endpoint = endpoint }
        }

        public struct Reply: Codable, Sendable, Equatable {
            public var rules: [ResourceRule]
            public var resources: [ResourceSelection]

            public init(rules: [ResourceRule], resources: [ResourceSelection]) {
                self.rules = rules
                self.resources = resources
            }
        }
    }

    public enum EnableResources: ManagerMethod {
        public static let name = "EnableResources"
        public typealias Parameters = ResourceChange
        public typealias Reply = ResourceChangeReply
    }

    public enum DisableResources: ManagerMethod {
        public static let name = "DisableResources"
        public typealias Parameters = ResourceChange
        public typealias Reply = ResourceChangeReply
    }
}
