extension ManagerAPI {
    /// A person who may sign in, as the user methods report them.
    public struct User: Codable, Sendable, Equatable {
        public var name: String
        public var displayName: String
        public var hasPassword: Bool
        public var groups: [String]
        public var activeSessions: Int
        public var created: String
        public var updated: String

        public init(
            name: String, displayName: String, hasPassword: Bool, groups: [String], activeSessions: Int, created: String,
            updated: String
        ) {
            self.name = name
            self.displayName = displayName
            self.hasPassword = hasPassword
            self.groups = groups
            self.activeSessions = activeSessions
            self.created = created
            self.updated = updated
        }

        enum CodingKeys: String, CodingKey {
            case name, groups, created, updated
            case displayName = "display_name"
            case hasPassword = "has_password"
            case activeSessions = "active_sessions"
        }
    }

    /// The reply of the methods that return one user.
    public struct UserReply: Codable, Sendable, Equatable {
        public var user: User
        public init(user: User) { self.user = user }
    }

    /// The parameters of the methods that name one object (a user, an endpoint, a server) and nothing else.
    public struct ObjectName: Codable, Sendable, Equatable {
        public var name: String
        public init(name: String) { self.name = name }
    }

    public enum AddUser: ManagerMethod {
        public static let name = "AddUser"
        public typealias Reply = UserReply

        public struct Parameters: Codable, Sendable, Equatable {
            public var name: String
            public var displayName: String?
            public var password: String?
            public var groups: [String]?

            public init(name: String, displayName: String? = nil, password: String? = nil, groups: [String]? = nil) {
                self.name = name
                self.displayName = displayName
                self.password = password
                self.groups = groups
            }

            enum CodingKeys: String, CodingKey {
                case name, password, groups
                case displayName = "display_name"
            }
        }
    }

    public enum UpdateUser: ManagerMethod {
        public static let name = "UpdateUser"
        public typealias Reply = UserReply

        public struct Parameters: Codable, Sendable, Equatable {
            public var name: String
            public var displayName: String?
            public var addGroups: [String]?
            public var removeGroups: [String]?

            public init(name: String, displayName: String? = nil, addGroups: [String]? = nil, removeGroups: [String]? = nil) {
                self.name = name
                self.displayName = displayName
                self.addGroups = addGroups
                self.removeGroups = removeGroups
            }

            enum CodingKeys: String, CodingKey {
                case name
                case displayName = "display_name"
                case addGroups = "add_groups"
                case removeGroups = "remove_groups"
            }
        }
    }

    public enum ListUsers: ManagerMethod {
        public static let name = "ListUsers"
        public typealias Parameters = Empty

        public struct Reply: Codable, Sendable, Equatable {
            public var users: [User]
            public init(users: [User]) { self.users = users }
        }
    }

    public enum RemoveUser: ManagerMethod {
        public static let name = "RemoveUser"
        public typealias Parameters = ObjectName
        public typealias Reply = Empty
    }

    public enum SetPassword: ManagerMethod {
        public static let name = "SetPassword"
        public typealias Reply = Empty

        public struct Parameters: Codable, Sendable, Equatable {
            public var name: String
            public var password: String

            public init(name: String, password: String) {
                self.name = name
                self.password = password
            }
        }
    }
}
