extension ManagerAPI {
    /// What `GetStatus` reports about the running daemon.
    public struct Status: Codable, Sendable, Equatable {
        public var version: String
        public var pid: Int
        public var started: String
        public var uptimeSeconds: Int
        public var publicURL: String
        public var httpListen: String
        public var controlSocket: String
        public var stateDirectory: String
        public var database: String
        public var schemaMigrations: [String]
        public var servers: Int
        public var endpoints: Int
        public var users: Int
        public var activeSessions: Int
        public var openConnections: Int
        public var logTarget: String
        public var auditTarget: String

        public init(
            version: String, pid: Int, started: String, uptimeSeconds: Int, publicURL: String, httpListen: String,
            controlSocket: String, stateDirectory: String, database: String, schemaMigrations: [String], servers: Int,
            endpoints: Int, users: Int, activeSessions: Int, openConnections: Int, logTarget: String, auditTarget: String
        ) {
            self.version = version
            self.pid = pid
            self.started = started
            self.uptimeSeconds = uptimeSeconds
            self.publicURL = publicURL
            self.httpListen = httpListen
            self.controlSocket = controlSocket
            self.stateDirectory = stateDirectory
            self.database = database
            self.schemaMigrations = schemaMigrations
            self.servers = servers
            self.endpoints = endpoints
            self.users = users
            self.activeSessions = activeSessions
            self.openConnections = openConnections
            self.logTarget = logTarget
            self.auditTarget = auditTarget
        }

        enum CodingKeys: String, CodingKey {
            case version, pid, started, database, servers, endpoints, users
            case uptimeSeconds = "uptime_seconds"
            case publicURL = "public_url"
            case httpListen = "http_listen"
            case controlSocket = "control_socket"
            case stateDirectory = "state_directory"
            case schemaMigrations = "schema_migrations"
            case activeSessions = "active_sessions"
            case openConnections = "open_connections"
            case logTarget = "log_target"
            case auditTarget = "audit_target"
        }
    }

    public enum GetStatus: ManagerMethod {
        public static let name = "GetStatus"
        public typealias Parameters = Empty

        public struct Reply: Codable, Sendable, Equatable {
            public var status: Status
            public init(status: Status) { self.status = status }
        }
    }

    public enum RotateSecretKey: ManagerMethod {
        public static let name = "RotateSecretKey"
        public typealias Parameters = Empty

        public struct Reply: Codable, Sendable, Equatable {
            /// How many stored secrets were re-encrypted with the new key.
            public var reencrypted: Int
            public init(reencrypted: Int) { self.reencrypted = reencrypted }
        }
    }

    /// One change, as `WatchChanges` streams it.
    public struct Change: Codable, Sendable, Equatable {
        public var time: String
        public var action: String
        public var object: String
        public var name: String
        public var uid: Int
        public var pid: Int

        public init(time: String, action: String, object: String, name: String, uid: Int, pid: Int) {
            self.time = time
            self.action = action
            self.object = object
            self.name = name
            self.uid = uid
            self.pid = pid
        }
    }

    public enum WatchChanges: ManagerMethod {
        public static let name = "WatchChanges"
        public typealias Parameters = Empty

        public struct Reply: Codable, Sendable, Equatable {
            public var change: Change
            public init(change: Change) { self.change = change }
        }
    }
}
