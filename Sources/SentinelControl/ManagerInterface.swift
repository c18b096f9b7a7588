public import Foundation
public import Logging
public import SentinelCore
public import SentinelCrypto
public import SentinelStore
public import SentinelVarlink

/// Runtime facts for `GetStatus` that only the daemon knows.
public struct DaemonRuntimeStatus: Sendable {
    public var version: String
    public var pid: Int32
    public var started: Date
    public var publicURL: String
    public var httpListen: String
    public var controlSocket: String
    public var stateDirectory: String
    public var openConnections: Int
    /// Whether the HTTP listener accepts only loopback connections (endpoints without auth need it).
    public var httpIsLoopback: Bool
    /// Where log messages go: `journal` or `stderr`.
    public var logTarget: String
    /// Where audit events go: `journal` or `stderr`.
    public var auditTarget: String
    /// Protocol faults per upstream server since the daemon started (messages it had to drop).
    public var upstreamProtocolFaults: [String: Int] = [:]

    public init(
        version: String, pid: Int32, started: Date, publicURL: String, httpListen: String, controlSocket: String,
        stateDirectory: String, openConnections: Int, httpIsLoopback: Bool, logTarget: String = "stderr",
        auditTarget: String = "stderr"
    ) {
        self.httpIsLoopback = httpIsLoopback
        self.logTarget = logTarget
        self.auditTarget = auditTarget
        self.version = version
        self.pid = pid
        self.started = started
        self.publicURL = publicURL
        self.httpListen = httpListen
        self.controlSocket = controlSocket
        self.stateDirectory = stateDirectory
        self.openConnections = openConnections
    }
}

/// `io.sentinel.Manager`: the control plane that `sentinelctl` drives.
///
/// Every method checks the caller against the access policy first; every
/// change is audited (never with secrets) and published to `changes`.
public struct ManagerInterface: VarlinkInterface {
    public let definition: VarlinkInterfaceDefinition
    let store: Store
    let audit: any AuditSink
    let policy: ControlAccessPolicy
    let changes: ChangeBroadcaster
    let runtime: @Sendable () -> DaemonRuntimeStatus
    let passwordHasher: PasswordHasher
    let logger: Logger
    let catalogs: (any CatalogRefreshing)?
    let credentials: (any CredentialAdministering)?

    public init(
        store: Store,
        audit: any AuditSink,
        policy: ControlAccessPolicy,
        changes: ChangeBroadcaster,
        catalogs: (any CatalogRefreshing)? = nil,
        credentials: (any CredentialAdministering)? = nil,
        passwordHasher: PasswordHasher = PasswordHasher(),
        logger: Logger,
        runtime: @escaping @Sendable () -> DaemonRuntimeStatus
    ) throws {
        self.catalogs = catalogs
        self.credentials = credentials
        self.definition = try VarlinkInterfaceDefinition(parsing: ManagerIDL.text)
        self.store = store
        self.audit = audit
        self.policy = policy
        self.changes = changes
        self.passwordHasher = passwordHasher
        self.logger = logger
        self.runtime = runtime
    }

    /// The IDL text, for tools that install or check it.
    public static var interfaceDescription: String { ManagerIDL.text }

    public func handle(_ call: VarlinkCall, peer: VarlinkPeer) async throws -> VarlinkResponse {
        guard policy.permits(peer) else {
            audit.record(
                AuditEvent(
                    kind: .controlDenied,
                    message: "control call \(call.member) refused for uid \(peer.uid) pid \(peer.pid)",
                    fields: [.action: call.member, .peerUID: String(peer.uid), .peerPID: String(peer.pid)]))
            throw VarlinkError.permissionDenied
        }
        let request = ManagerRequest(call: call, peer: peer)
        switch call.member {
        case "GetStatus": return .reply(try await getStatus())
        case "AddServer": return .reply(try await addServer(request))
        case "ListServers": return .reply(try await listServers())
        case "GetServer": return .reply(try await getServer(request))
        case "UpdateServer": return .reply(try await updateServer(request))
        case "RemoveServer": return .reply(try await removeServer(request))
        case "LoginServer": return .reply(try await loginServer(request))
        case "RotateSecretKey": return .reply(try await rotateSecretKey(request))
        case "ListServerTools": return .reply(try await listServerTools(request))
        case "RefreshServer": return .reply(try await refreshServer(request))
        case "CreateEndpoint": return .reply(try await createEndpoint(request))
        case "ListEndpoints": return .reply(try await listEndpoints())
        case "GetEndpoint": return .reply(try await getEndpoint(request))
        case "UpdateEndpoint": return .reply(try await updateEndpoint(request))
        case "DeleteEndpoint": return .reply(try await deleteEndpoint(request))
        case "AttachServer": return .reply(try await attachServer(request))
        case "DetachServer": return .reply(try await detachServer(request))
        case "ListToolSelections": return .reply(try await listToolSelections(request))
        case "EnableTools": return .reply(try await setTools(request, enabled: true))
        case "DisableTools": return .reply(try await setTools(request, enabled: false))
        case "AddUser": return .reply(try await addUser(request))
        case "UpdateUser": return .reply(try await updateUser(request))
        case "AllowAccess": return .reply(try await allowAccess(request))
        case "DenyAccess": return .reply(try await denyAccess(request))
        case "ListUsers": return .reply(try await listUsers())
        case "RemoveUser": return .reply(try await removeUser(request))
        case "SetPassword": return .reply(try await setPassword(request))
        case "ListSessions": return .reply(try await listSessions(request))
        case "RevokeSession": return .reply(try await revokeSession(request))
        case "WatchChanges": return watchChanges(request)
        default: throw VarlinkError.methodNotImplemented(call.method)
        }
    }

    public func varlinkError(for error: any Error) -> VarlinkError {
        let prefix = definition.name + "."
        switch error {
        case let error as StoreError:
            switch error {
            case .notFound(let kind, let name):
                switch kind {
                case "server": return VarlinkError(prefix + "NoSuchServer", ["name": .string(name)])
                case "endpoint": return VarlinkError(prefix + "NoSuchEndpoint", ["name": .string(name)])
                case "user": return VarlinkError(prefix + "NoSuchUser", ["name": .string(name)])
                default: return VarlinkError(prefix + "NoSuchSession", ["id": .string(name)])
                }
            case .alreadyExists(let kind, let name):
                let errorName = kind == "server" ? "ServerExists" : kind == "endpoint" ? "EndpointExists" : "UserExists"
                return VarlinkError(prefix + errorName, ["name": .string(name)])
            case .serverInUse(let server, let endpoints):
                return VarlinkError(prefix + "ServerInUse", ["name": .string(server), "endpoints": JSONValue(endpoints)])
            case .notAttached(let endpoint, let server):
                return VarlinkError(prefix + "ServerNotAttached", ["endpoint": .string(endpoint), "server": .string(server)])
            case .noSuchTool(let endpoint, let tool):
                return VarlinkError(prefix + "NoSuchTool", ["endpoint": .string(endpoint), "tool": .string(tool)])
            case .invalid(let field, let reason):
                return invalidValue(field, reason)
            case .newerSchema:
                return VarlinkError(prefix + "InternalError", ["message": .string(error.description)])
            }
        case let error as InvalidValue:
            return invalidValue(error.field, error.reason)
        case let error as SecretKeyNotRotatable:
            return VarlinkError(prefix + "SecretKeyNotRotatable", ["reason": .string(error.reason)])
        default:
            logger.error("control call failed: \(error)")
            return VarlinkError(prefix + "InternalError", ["message": .string(String(describing: error))])
        }
    }

    func invalidValue(_ field: String, _ reason: String) -> VarlinkError {
        VarlinkError(definition.name + ".InvalidValue", ["field": .string(field), "reason": .string(reason)])
    }

    /// Audits a change and tells subscribers about it.
    func recordChange(
        _ request: ManagerRequest, action: String, object: String, name: String, message: String,
        fields: [AuditField: String] = [:]
    ) {
        var all = fields
        all[.action] = action
        all[.object] = object
        all[.peerUID] = String(request.peer.uid)
        all[.peerPID] = String(request.peer.pid)
        all[AuditField(rawValue: object.uppercased()) ?? .object] = name
        audit.record(AuditEvent(kind: .configChanged, message: message + " (uid \(request.peer.uid))", fields: all))
        changes.publish(
            ControlChange(time: Date(), action: action, object: object, name: name, uid: request.peer.uid, pid: request.peer.pid))
    }

    private func getStatus() async throws -> [String: JSONValue] {
        let counts = try await store.counts()
        let status = runtime()
        return [
            "status": [
                "version": .string(status.version),
                "pid": .int(Int64(status.pid)),
                "started": .string(Timestamp.format(status.started)),
                "uptime_seconds": .int(Int64(max(0, Date().timeIntervalSince(status.started)))),
                "public_url": .string(status.publicURL),
                "http_listen": .string(status.httpListen),
                "control_socket": .string(status.controlSocket),
                "state_directory": .string(status.stateDirectory),
                "database": .string(store.path),
                "schema_migrations": JSONValue(try store.appliedMigrations()),
                "servers": .int(Int64(counts.servers)),
                "endpoints": .int(Int64(counts.endpoints)),
                "users": .int(Int64(counts.users)),
                "active_sessions": .int(Int64(counts.activeGrants)),
                "open_connections": .int(Int64(status.openConnections)),
                "log_target": .string(status.logTarget),
                "audit_target": .string(status.auditTarget),
            ]
        ]
    }

    private func watchChanges(_ request: ManagerRequest) -> VarlinkResponse {
        let subscription = changes.subscribe()
        let stream = AsyncThrowingStream<VarlinkStreamReply, any Error> { continuation in
            let task = Task {
                for await change in subscription {
                    continuation.yield(VarlinkStreamReply([
                        "change": [
                            "time": .string(Timestamp.format(change.time)),
                            "action": .string(change.action),
                            "object": .string(change.object),
                            "name": .string(change.name),
                            "uid": .int(Int64(change.uid)),
                            "pid": .int(Int64(change.pid)),
                        ]
                    ], continues: true))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        return .stream(stream)
    }
}

/// A refused parameter value, reported as `InvalidValue(field, reason)`.
struct InvalidValue: Error {
    var field: String
    var reason: String
}

/// A call with typed accessors for its (already IDL-checked) parameters.
struct ManagerRequest {
    let call: VarlinkCall
    let peer: VarlinkPeer

    func string(_ name: String) -> String { call.parameters[name]?.stringValue ?? "" }
    func optionalString(_ name: String) -> String? { call.parameters[name]?.stringValue }
    func optionalBool(_ name: String) -> Bool? { call.parameters[name]?.boolValue }
    func strings(_ name: String) -> [String] {
        call.parameters[name]?.arrayValue?.compactMap(\.stringValue) ?? []
    }
    func object(_ name: String) -> [String: JSONValue] { call.parameters[name]?.objectValue ?? [:] }
}

/// RFC 3339 timestamps in UTC, as every control reply uses.
enum Timestamp {
    static func format(_ date: Date) -> String {
        date.ISO8601Format()
    }

    static func format(_ date: Date?) -> JSONValue {
        date.map { .string(format($0)) } ?? .null
    }
}

/// Why the secret key cannot be rotated, reported as `SecretKeyNotRotatable(reason)`.
public struct SecretKeyNotRotatable: Error, CustomStringConvertible {
    public var reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// A failure the caller cannot fix, reported as `InternalError(message)`.
struct InternalError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
