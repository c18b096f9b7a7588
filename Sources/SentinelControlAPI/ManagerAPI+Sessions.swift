extension ManagerAPI {
    /// An authorized session (a grant), as `ListSessions` and revocations report it.
    public struct Session: Codable, Sendable, Equatable {
        public var id: String
        public var user: String
        public var clientID: String
        public var clientName: String
        public var endpoint: String
        public var created: String
        public var expires: String
        public var lastUsed: String?
        public var lastAddress: String?
        public var revoked: String?
        public var scope: String

        public init(
            id: String, user: String, clientID: String, clientName: String, endpoint: String, created: String,
            expires: String, lastUsed: String?, lastAddress: String?, revoked: String?, scope: String
        ) {
            self.id = id
            self.user = user
            self.clientID = clientID
            self.clientName = clientName
            self.endpoint = endpoint
            self.created = created
            self.expires = expires
            self.lastUsed = lastUsed
            self.lastAddress = lastAddress
            self.revoked = revoked
            self.scope = scope
        }

        enum CodingKeys: String, CodingKey {
            case id, user, endpoint, created, expires, revoked, scope
            case clientID = "client_id"
            case clientName = "client_name"
            case lastUsed = "last_used"
            case lastAddress = "last_address"
        }
    }

    public enum ListSessions: ManagerMethod {
        public static let name = "ListSessions"

        public struct Parameters: Codable, Sendable, Equatable {
            public var endpoint: String?
            public var user: String?
            public var includeInactive: Bool?

            public init(endpoint: String? = nil, user: String? = nil, includeInactive: Bool? = nil) {
                self.endpoint = endpoint
                self.user = user
                self.includeInactive = includeInactive
            }

            enum CodingKeys: String, CodingKey {
                case endpoint, user
                case includeInactive = "include_inactive"
            }
        }

        public struct Reply: Codable, Sendable, Equatable {
            public var sessions: [Session]
            public init(sessions: [Session]) { self.sessions = sessions }
        }
    }

    public enum RevokeSession: ManagerMethod {
        public static let name = "RevokeSession"

        public struct Parameters: Codable, Sendable, Equatable {
            public var id: String?
            public var user: String?
            public var endpoint: String?

            public init(id: String? = nil, user: String? = nil, endpoint: String? = nil) {
                self.id = id
                self.user = user
                self.endpoint = endpoint
            }
        }

        public struct Reply: Codable, Sendable, Equatable {
            public var revoked: [Session]
            public init(revoked: [Session]) { self.revoked = revoked }
        }
    }
}
