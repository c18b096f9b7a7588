public import SentinelCore

extension ManagerAPI {
    /// Where a server's cached catalog stands.
    public enum CatalogState: String, Codable, Sendable, CaseIterable {
        /// The last refresh listed the tools.
        case listed
        /// No refresh has been tried yet.
        case notRefreshed = "not_refreshed"
        /// The catalog needs a credential that nobody has connected yet: the admin's (shared mode, or a personal
        /// server's catalog credential) or, for a personal server, any user's. A state, not a fault.
        case waitingForCredential = "waiting_for_credential"
        /// The last refresh failed (`last_error` says why); the previous catalog stays.
        case failed
    }

    /// An upstream server, as the server methods report it (secrets never: only header names).
    public struct Server: Codable, Sendable, Equatable {
        public var name: String
        public var transport: ServerTransport
        public var description: String
        public var command: [String]
        public var environment: [String: String]
        public var workingDirectory: String?
        public var url: String?
        public var headerNames: [String]
        public var credentialMode: CredentialMode
        public var credentialKind: CredentialKind
        /// stdio servers with credentials: the variable the credential is passed in.
        public var credentialEnv: String?
        /// Shown to users where they connect their credential (where to get a token).
        public var credentialHint: String?
        public var oauthClientID: String?
        /// Shared mode: `connected`, `expired` or `missing`.
        public var sharedCredential: String?
        /// Personal mode: users with a connected credential, and with an expired one.
        public var connectedUsers: Int
        public var expiredUsers: Int
        /// Personal mode: the catalog-only credential the admin connected (`connected`, `expired` or `missing`); it
        /// lists the tools and is never used for a user's call.
        public var catalogCredential: String?
        public var catalogState: CatalogState
        public var connectTimeout: Int
        public var callTimeout: Int
        public var toolCount: Int
        public var endpoints: [String]
        public var created: String
        public var updated: String
        public var refreshed: String?
        public var lastError: String?
        public var protocolFaults: Int

        public init(
            name: String, transport: ServerTransport, description: String, command: [String], environment: [String: String],
            workingDirectory: String?, url: String?, headerNames: [String], credentialMode: CredentialMode,
            credentialKind: CredentialKind, credentialEnv: String?, credentialHint: String? = nil, oauthClientID: String?,
            sharedCredential: String?,
            connectedUsers: Int, expiredUsers: Int, catalogCredential: String?, catalogState: CatalogState, connectTimeout: Int, callTimeout: Int, toolCount: Int, endpoints: [String],
            created: String, updated: String, refreshed: String?, lastError: String?, protocolFaults: Int
        ) {
            self.name = name
            self.transport = transport
            self.description = description
            self.command = command
            self.environment = environment
            self.workingDirectory = workingDirectory
            self.url = url
            self.headerNames = headerNames
            self.credentialMode = credentialMode
            self.credentialKind = credentialKind
            self.credentialEnv = credentialEnv
            self.credentialHint = credentialHint
            self.oauthClientID = oauthClientID
            self.sharedCredential = sharedCredential
            self.connectedUsers = connectedUsers
            self.expiredUsers = expiredUsers
            self.catalogCredential = catalogCredential
            self.catalogState = catalogState
            self.connectTimeout = connectTimeout
            self.callTimeout = callTimeout
            self.toolCount = toolCount
            self.endpoints = endpoints
            self.created = created
            self.updated = updated
            self.refreshed = refreshed
            self.lastError = lastError
            self.protocolFaults = protocolFaults
        }

        enum CodingKeys: String, CodingKey {
            case name, transport, description, command, environment, url, endpoints, created, updated, refreshed
            case workingDirectory = "working_directory"
            case headerNames = "header_names"
            case credentialMode = "credential_mode"
            case credentialKind = "credential_kind"
            case credentialEnv = "credential_env"
            case credentialHint = "credential_hint"
            case oauthClientID = "oauth_client_id"
            case sharedCredential = "shared_credential"
            case connectedUsers = "connected_users"
            case expiredUsers = "expired_users"
            case catalogCredential = "catalog_credential"
            case catalogState = "catalog_state"
            case connectTimeout = "connect_timeout"
            case callTimeout = "call_timeout"
            case toolCount = "tool_count"
            case lastError = "last_error"
            case protocolFaults = "protocol_faults"
        }
    }

    /// The settings `AddServer` and `UpdateServer` share; in `AddServer` unset ones take their defaults, in
    /// `UpdateServer` they keep their value.
    ///
    /// `headers`, `oauthClientSecret` and `token` are secrets: stored encrypted, never in a reply or an audit entry.
    public struct ServerSettings: Codable, Sendable, Equatable {
        public var description: String?
        public var command: [String]?
        public var environment: [String: String]?
        /// An empty string clears it (in `UpdateServer`).
        public var workingDirectory: String?
        public var url: String?
        /// Replaces every static header; `[:]` removes them.
        public var headers: [String: String]?
        public var credentialMode: CredentialMode?
        public var credentialKind: CredentialKind?
        /// An empty string clears it.
        public var credentialEnv: String?
        /// One line shown where users connect (where to get a token); an empty string clears it.
        public var credentialHint: String?
        /// An empty string clears the client (and its secret).
        public var oauthClientID: String?
        public var oauthClientSecret: String?
        /// The shared bearer token (shared mode).
        public var token: String?
        public var connectTimeout: Int?
        public var callTimeout: Int?

        public init(
            description: String? = nil, command: [String]? = nil, environment: [String: String]? = nil,
            workingDirectory: String? = nil, url: String? = nil, headers: [String: String]? = nil,
            credentialMode: CredentialMode? = nil, credentialKind: CredentialKind? = nil, credentialEnv: String? = nil,
            credentialHint: String? = nil, oauthClientID: String? = nil, oauthClientSecret: String? = nil, token: String? = nil,
            connectTimeout: Int? = nil, callTimeout: Int? = nil
        ) {
            self.description = description
            self.command = command
            self.environment = environment
            self.workingDirectory = workingDirectory
            self.url = url
            self.headers = headers
            self.credentialMode = credentialMode
            self.credentialKind = credentialKind
            self.credentialEnv = credentialEnv
            self.credentialHint = credentialHint
            self.oauthClientID = oauthClientID
            self.oauthClientSecret = oauthClientSecret
            self.token = token
            self.connectTimeout = connectTimeout
            self.callTimeout = callTimeout
        }

        /// The names of the settings that are set, as on the wire (for audit messages: names, never values).
        public var setNames: [String] {
            let all: [(CodingKeys, Bool)] = [
                (.description, description != nil), (.command, command != nil), (.environment, environment != nil),
                (.workingDirectory, workingDirectory != nil), (.url, url != nil), (.headers, headers != nil),
                (.credentialMode, credentialMode != nil), (.credentialKind, credentialKind != nil),
                (.credentialEnv, credentialEnv != nil), (.credentialHint, credentialHint != nil), (.oauthClientID, oauthClientID != nil),
                (.oauthClientSecret, oauthClientSecret != nil), (.token, token != nil),
                (.connectTimeout, connectTimeout != nil), (.callTimeout, callTimeout != nil),
            ]
            return all.filter(\.1).map(\.0.stringValue).sorted()
        }

        /// These settings without their secrets and the environment's values, as an audit entry may carry them.
        public var withoutSecrets: ServerSettings {
            var copy = self
            copy.environment = nil
            copy.headers = nil
            copy.oauthClientSecret = nil
            copy.token = nil
            return copy
        }

        enum CodingKeys: String, CodingKey {
            case description, command, environment, url, headers, token
            case workingDirectory = "working_directory"
            case credentialMode = "credential_mode"
            case credentialKind = "credential_kind"
            case credentialEnv = "credential_env"
            case credentialHint = "credential_hint"
            case oauthClientID = "oauth_client_id"
            case oauthClientSecret = "oauth_client_secret"
            case connectTimeout = "connect_timeout"
            case callTimeout = "call_timeout"
        }
    }

    /// What `UpdateServer` changes (`ServerChanges` in the IDL): unset fields keep their value.
    public typealias ServerChanges = ServerSettings

    /// A new server (`ServerSpec` in the IDL): its name and transport, and settings that take their defaults when unset.
    public struct ServerSpec: Codable, Sendable, Equatable {
        public var name: String
        public var transport: ServerTransport
        public var settings: ServerSettings

        public init(name: String, transport: ServerTransport, settings: ServerSettings = ServerSettings()) {
            self.name = name
            self.transport = transport
            self.settings = settings
        }

        enum CodingKeys: String, CodingKey {
            case name, transport
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            transport = try container.decode(ServerTransport.self, forKey: .transport)
            settings = try ServerSettings(from: decoder)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(transport, forKey: .transport)
            try settings.encode(to: encoder)
        }
    }

    /// A tool in a server's cached catalog; schemas and annotations are the upstream's JSON text.
    public struct Tool: Codable, Sendable, Equatable {
        public var server: String
        public var name: String
        public var title: String?
        public var description: String?
        public var inputSchema: String
        public var outputSchema: String?
        public var annotations: String?
        public var discovered: String

        public init(
            server: String, name: String, title: String?, description: String?, inputSchema: String, outputSchema: String?,
            annotations: String?, discovered: String
        ) {
            self.server = server
            self.name = name
            self.title = title
            self.description = description
            self.inputSchema = inputSchema
            self.outputSchema = outputSchema
            self.annotations = annotations
            self.discovered = discovered
        }

        enum CodingKeys: String, CodingKey {
            case server, name, title, description, annotations, discovered
            case inputSchema = "input_schema"
            case outputSchema = "output_schema"
        }
    }

    /// The reply of the methods that return one server.
    public struct ServerReply: Codable, Sendable, Equatable {
        public var server: Server
        public init(server: Server) { self.server = server }
    }

    public enum AddServer: ManagerMethod {
        public static let name = "AddServer"
        public typealias Reply = ServerReply

        public struct Parameters: Codable, Sendable, Equatable {
            public var server: ServerSpec
            public init(server: ServerSpec) { self.server = server }
        }
    }

    public enum ListServers: ManagerMethod {
        public static let name = "ListServers"
        public typealias Parameters = Empty

        public struct Reply: Codable, Sendable, Equatable {
            public var servers: [Server]
            public init(servers: [Server]) { self.servers = servers }
        }
    }

    public enum GetServer: ManagerMethod {
        public static let name = "GetServer"
        public typealias Parameters = ObjectName
        public typealias Reply = ServerReply
    }

    public enum UpdateServer: ManagerMethod {
        public static let name = "UpdateServer"
        public typealias Reply = ServerReply

        public struct Parameters: Codable, Sendable, Equatable {
            public var name: String
            public var changes: ServerChanges

            public init(name: String, changes: ServerChanges) {
                self.name = name
                self.changes = changes
            }
        }
    }

    public enum RemoveServer: ManagerMethod {
        public static let name = "RemoveServer"

        public struct Parameters: Codable, Sendable, Equatable {
            public var name: String
            /// Detach it from the endpoints that use it (else `ServerInUse`).
            public var force: Bool?

            public init(name: String, force: Bool? = nil) {
                self.name = name
                self.force = force
            }
        }

        public struct Reply: Codable, Sendable, Equatable {
            /// The endpoints it was detached from.
            public var detachedFrom: [String]
            public init(detachedFrom: [String]) { self.detachedFrom = detachedFrom }

            enum CodingKeys: String, CodingKey {
                case detachedFrom = "detached_from"
            }
        }
    }

    public enum LoginServer: ManagerMethod {
        public static let name = "LoginServer"

        public struct Parameters: Codable, Sendable, Equatable {
            public var name: String
            /// A bearer token (a secret: stored encrypted, never shown): a personal server's catalog credential, or
            /// a shared server's credential. Without it, an OAuth server's sign-in starts.
            public var token: String?

            public init(name: String, token: String? = nil) {
                self.name = name
                self.token = token
            }
        }

        public struct Reply: Codable, Sendable, Equatable {
            /// Where the admin signs in, in a browser (OAuth servers).
            public var url: String?
            /// The server once a token is stored and its catalog fetched with it.
            public var server: Server?

            public init(url: String? = nil, server: Server? = nil) {
                self.url = url
                self.server = server
            }
        }
    }

    public enum ListServerTools: ManagerMethod {
        public static let name = "ListServerTools"
        public typealias Parameters = ObjectName

        public struct Reply: Codable, Sendable, Equatable {
            public var tools: [Tool]
            public init(tools: [Tool]) { self.tools = tools }
        }
    }

    public enum RefreshServer: ManagerMethod {
        public static let name = "RefreshServer"
        public typealias Parameters = ObjectName
        public typealias Reply = ServerReply
    }
}
