public import SentinelCore

extension ManagerAPI {
    /// An endpoint, as the endpoint methods report it.
    public struct Endpoint: Codable, Sendable, Equatable {
        public var name: String
        public var description: String
        public var auth: EndpointAuth
        public var capturePayloads: Bool
        public var servers: [String]
        public var url: String
        public var allowedUsers: [String]
        public var allowedGroups: [String]
        public var enabledTools: Int
        public var availableTools: Int
        /// Tools enabled by name that their server does not list yet (or any more).
        public var awaitingTools: Int
        public var enabledPrompts: Int
        public var availablePrompts: Int
        public var resourceRules: Int
        public var created: String
        public var updated: String

        public init(
            name: String, description: String, auth: EndpointAuth, capturePayloads: Bool, servers: [String], url: String,
            allowedUsers: [String], allowedGroups: [String], enabledTools: Int, availableTools: Int, awaitingTools: Int,
            enabledPrompts: Int, availablePrompts: Int, resourceRules: Int, created: String, updated: String
        ) {
            self.name = name
            self.description = description
            self.auth = auth
            self.capturePayloads = capturePayloads
            self.servers = servers
            self.url = url
            self.allowedUsers = allowedUsers
            self.allowedGroups = allowedGroups
            self.enabledTools = enabledTools
            self.availableTools = availableTools
            self.awaitingTools = awaitingTools
            self.enabledPrompts = enabledPrompts
            self.availablePrompts = availablePrompts
            self.resourceRules = resourceRules
            self.created = created
            self.updated = updated
        }

        enum CodingKeys: String, CodingKey {
            case name, description, auth, servers, url, created, updated
            case capturePayloads = "capture_payloads"
            case allowedUsers = "allowed_users"
            case allowedGroups = "allowed_groups"
            case enabledTools = "enabled_tools"
            case availableTools = "available_tools"
            case awaitingTools = "awaiting_tools"
            case enabledPrompts = "enabled_prompts"
            case availablePrompts = "available_prompts"
            case resourceRules = "resource_rules"
        }
    }

    /// What `UpdateEndpoint` changes; absent fields stay as they are.
    public struct EndpointChanges: Codable, Sendable, Equatable {
        public var description: String?
        public var auth: EndpointAuth?
        public var capturePayloads: Bool?

        public init(description: String? = nil, auth: EndpointAuth? = nil, capturePayloads: Bool? = nil) {
            self.description = description
            self.auth = auth
            self.capturePayloads = capturePayloads
        }

        enum CodingKeys: String, CodingKey {
            case description, auth
            case capturePayloads = "capture_payloads"
        }
    }

    /// Whether one upstream tool is exposed on an endpoint, and under which name.
    public struct ToolSelection: Codable, Sendable, Equatable {
        public var server: String
        public var tool: String
        public var exposedName: String
        public var enabled: Bool
        /// Whether the server's catalog lists the tool (false: enabled by name ahead of the catalog, or gone from it).
        public var listed: Bool

        public init(server: String, tool: String, exposedName: String, enabled: Bool, listed: Bool = true) {
            self.server = server
            self.tool = tool
            self.exposedName = exposedName
            self.enabled = enabled
            self.listed = listed
        }

        enum CodingKeys: String, CodingKey {
            case server, tool, enabled, listed
            case exposedName = "exposed_name"
        }
    }

    /// The reply of the methods that return one endpoint.
    public struct EndpointReply: Codable, Sendable, Equatable {
        public var endpoint: Endpoint
        public init(endpoint: Endpoint) { self.endpoint = endpoint }
    }

    /// The parameters of the methods that name one endpoint and one server.
    public struct EndpointServer: Codable, Sendable, Equatable {
        public var endpoint: String
        public var server: String

        public init(endpoint: String, server: String) {
            self.endpoint = endpoint
            self.server = server
        }
    }

    /// The parameters of `AllowAccess` and `DenyAccess`.
    public struct AccessChange: Codable, Sendable, Equatable {
        public var endpoint: String
        public var users: [String]?
        public var groups: [String]?

        public init(endpoint: String, users: [String]? = nil, groups: [String]? = nil) {
            self.endpoint = endpoint
            self.users = users
            self.groups = groups
        }
    }

    /// The parameters of `EnableTools` and `DisableTools`.
    public struct ToolChange: Codable, Sendable, Equatable {
        public var endpoint: String
        /// `SERVER/TOOL` or exposed names.
        public var tools: [String]?
        /// Servers whose whole catalog is meant.
        public var allOf: [String]?

        public init(endpoint: String, tools: [String]? = nil, allOf: [String]? = nil) {
            self.endpoint = endpoint
            self.tools = tools
            self.allOf = allOf
        }

        enum CodingKeys: String, CodingKey {
            case endpoint, tools
            case allOf = "all_of"
        }
    }

    /// The reply of `EnableTools` and `DisableTools`: the selections that changed.
    public struct ToolChangeReply: Codable, Sendable, Equatable {
        public var changed: [ToolSelection]
        public init(changed: [ToolSelection]) { self.changed = changed }
    }

    public enum CreateEndpoint: ManagerMethod {
        public static let name = "CreateEndpoint"
        public typealias Reply = EndpointReply

        public struct Parameters: Codable, Sendable, Equatable {
            public var name: String
            public var description: String?
            public var servers: [String]?
            public var auth: EndpointAuth?
            public var capturePayloads: Bool?

            public init(
                name: String, description: String? = nil, servers: [String]? = nil, auth: EndpointAuth? = nil,
                capturePayloads: Bool? = nil
            ) {
                self.name = name
                self.description = description
                self.servers = servers
                self.auth = auth
                self.capturePayloads = capturePayloads
            }

            enum CodingKeys: String, CodingKey {
                case name, description, servers, auth
                case capturePayloads = "capture_payloads"
            }
        }
    }

    public enum ListEndpoints: ManagerMethod {
        public static let name = "ListEndpoints"
        public typealias Parameters = Empty

        public struct Reply: Codable, Sendable, Equatable {
            public var endpoints: [Endpoint]
            public init(endpoints: [Endpoint]) { self.endpoints = endpoints }
        }
    }

    public enum GetEndpoint: ManagerMethod {
        public static let name = "GetEndpoint"
        public typealias Parameters = ObjectName
        public typealias Reply = EndpointReply
    }

    public enum UpdateEndpoint: ManagerMethod {
        public static let name = "UpdateEndpoint"
        public typealias Reply = EndpointReply

        public struct Parameters: Codable, Sendable, Equatable {
            public var name: String
            public var changes: EndpointChanges

            public init(name: String, changes: EndpointChanges) {
                self.name = name
                self.changes = changes
            }
        }
    }

    public enum AllowAccess: ManagerMethod {
        public static let name = "AllowAccess"
        public typealias Parameters = AccessChange
        public typealias Reply = EndpointReply
    }

    public enum DenyAccess: ManagerMethod {
        public static let name = "DenyAccess"
        public typealias Parameters = AccessChange

        public struct Reply: Codable, Sendable, Equatable {
            public var endpoint: Endpoint
            /// Sessions of users the list no longer admits.
            public var revoked: [Session]

            public init(endpoint: Endpoint, revoked: [Session]) {
                self.endpoint = endpoint
                self.revoked = revoked
            }
        }
    }

    public enum DeleteEndpoint: ManagerMethod {
        public static let name = "DeleteEndpoint"
        public typealias Parameters = ObjectName
        public typealias Reply = Empty
    }

    public enum AttachServer: ManagerMethod {
        public static let name = "AttachServer"
        public typealias Parameters = EndpointServer
        public typealias Reply = EndpointReply
    }

    public enum DetachServer: ManagerMethod {
        public static let name = "DetachServer"
        public typealias Parameters = EndpointServer
        public typealias Reply = EndpointReply
    }

    public enum ListToolSelections: ManagerMethod {
        public static let name = "ListToolSelections"

        public struct Parameters: Codable, Sendable, Equatable {
            public var endpoint: String
            public init(endpoint: String) { self.endpoint = endpoint }
        }

        public struct Reply: Codable, Sendable, Equatable {
            public var tools: [ToolSelection]
            public init(tools: [ToolSelection]) { self.tools = tools }
        }
    }

    public enum EnableTools: ManagerMethod {
        public static let name = "EnableTools"
        public typealias Parameters = ToolChange
        public typealias Reply = ToolChangeReply
    }

    public enum DisableTools: ManagerMethod {
        public static let name = "DisableTools"
        public typealias Parameters = ToolChange
        public typealias Reply = ToolChangeReply
    }
}
