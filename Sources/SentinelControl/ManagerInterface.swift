public import Foundation
public import Logging
import SentinelControlAPI
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
    let revocations: any GrantRevoking
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
        revocations: any GrantRevoking,
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
        self.revocations = revocations
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
        case ManagerAPI.GetStatus.name: return try await serve(ManagerAPI.GetStatus.self, request) { _ in try await getStatus() }
        case ManagerAPI.AddServer.name: return try await serve(ManagerAPI.AddServer.self, request) { try await addServer($0, request) }
        case ManagerAPI.ListServers.name: return try await serve(ManagerAPI.ListServers.self, request) { _ in try await listServers() }
        case ManagerAPI.GetServer.name: return try await serve(ManagerAPI.GetServer.self, request) { try await getServer($0.name) }
        case ManagerAPI.UpdateServer.name:
            return try await serve(ManagerAPI.UpdateServer.self, request) { try await updateServer($0, request) }
        case ManagerAPI.RemoveServer.name:
            return try await serve(ManagerAPI.RemoveServer.self, request) { try await removeServer($0, request) }
        case ManagerAPI.LoginServer.name:
            return try await serve(ManagerAPI.LoginServer.self, request) { try await loginServer($0, request) }
        case ManagerAPI.RotateSecretKey.name:
            return try await serve(ManagerAPI.RotateSecretKey.self, request) { _ in try await rotateSecretKey(request) }
        case ManagerAPI.ListServerTools.name:
            return try await serve(ManagerAPI.ListServerTools.self, request) { try await listServerTools($0.name) }
        case ManagerAPI.RefreshServer.name:
            return try await serve(ManagerAPI.RefreshServer.self, request) { try await refreshServer($0.name, request) }
        case ManagerAPI.CreateEndpoint.name:
            return try await serve(ManagerAPI.CreateEndpoint.self, request) { try await createEndpoint($0, request) }
        case ManagerAPI.ListEndpoints.name: return try await serve(ManagerAPI.ListEndpoints.self, request) { _ in try await listEndpoints() }
        case ManagerAPI.GetEndpoint.name: return try await serve(ManagerAPI.GetEndpoint.self, request) { try await getEndpoint($0.name) }
        case ManagerAPI.UpdateEndpoint.name:
            return try await serve(ManagerAPI.UpdateEndpoint.self, request) { try await updateEndpoint($0, request) }
        case ManagerAPI.DeleteEndpoint.name:
            return try await serve(ManagerAPI.DeleteEndpoint.self, request) { try await deleteEndpoint($0.name, request) }
        case ManagerAPI.AttachServer.name:
            return try await serve(ManagerAPI.AttachServer.self, request) { try await attachServer($0, request) }
        case ManagerAPI.DetachServer.name:
            return try await serve(ManagerAPI.DetachServer.self, request) { try await detachServer($0, request) }
        case ManagerAPI.ListToolSelections.name:
            return try await serve(ManagerAPI.ListToolSelections.self, request) { try await listToolSelections($0.endpoint) }
        case ManagerAPI.EnableTools.name:
            return try await serve(ManagerAPI.EnableTools.self, request) { try await setTools($0, request, enabled: true) }
        case ManagerAPI.DisableTools.name:
            return try await serve(ManagerAPI.DisableTools.self, request) { try await setTools($0, request, enabled: false) }
        case ManagerAPI.ListPromptSelections.name:
            return try await serve(ManagerAPI.ListPromptSelections.self, request) { try await listPromptSelections($0.endpoint) }
        case ManagerAPI.EnablePrompts.name:
            return try await serve(ManagerAPI.EnablePrompts.self, request) { try await setPrompts($0, request, enabled: true) }
        case ManagerAPI.DisablePrompts.name:
            return try await serve(ManagerAPI.DisablePrompts.self, request) { try await setPrompts($0, request, enabled: false) }
        case ManagerAPI.ListResourceRules.name:
            return try await serve(ManagerAPI.ListResourceRules.self, request) { try await listResourceRules($0.endpoint) }
        case ManagerAPI.EnableResources.name:
            return try await serve(ManagerAPI.EnableResources.self, request) { try await setResourceRules($0, request, enabled: true) }
        case ManagerAPI.DisableResources.name:
            return try await serve(ManagerAPI.DisableResources.self, request) { try await setResourceRules($0, request, enabled: false) }
        case ManagerAPI.AddUser.name: return try await serve(ManagerAPI.AddUser.self, request) { try await addUser($0, request) }
        case ManagerAPI.UpdateUser.name:
            return try await serve(ManagerAPI.UpdateUser.self, request) { try await updateUser($0, request) }
        case ManagerAPI.AllowAccess.name: return try await serve(ManagerAPI.AllowAccess.self, request) { try await allowAccess($0, request) }
        case ManagerAPI.DenyAccess.name: return try await serve(ManagerAPI.DenyAccess.self, request) { try await denyAccess($0, request) }
        case ManagerAPI.ListUsers.name: return try await serve(ManagerAPI.ListUsers.self, request) { _ in try await listUsers() }
        case ManagerAPI.RemoveUser.name:
            return try await serve(ManagerAPI.RemoveUser.self, request) { try await removeUser($0.name, request) }
        case ManagerAPI.SetPassword.name:
            return try await serve(ManagerAPI.SetPassword.self, request) { try await setPassword($0, request) }
        case ManagerAPI.ListSessions.name: return try await serve(ManagerAPI.ListSessions.self, request, listSessions)
        case ManagerAPI.RevokeSession.name:
            return try await serve(ManagerAPI.RevokeSession.self, request) { try await revokeSession($0, request) }
        case ManagerAPI.WatchChanges.name: return watchChanges(request)
        default: throw VarlinkError.methodNotImplemented(call.method)
        }
    }

    public func varlinkError(for error: any Error) -> VarlinkError {
        let named = managerError(for: error)
        if case .internalError = named { logger.error("control call failed: \(error)") }
        return VarlinkError(named.name.qualified, named.parameters)
    }

    /// The interface's named error for a failure.
    func managerError(for error: any Error) -> ManagerError {
        switch error {
        case let error as ManagerError:
            return error
        case let error as StoreError:
            switch error {
            case .notFound(let kind, let name):
                switch kind {
                case "server": return .noSuchServer(name: name)
                case "endpoint": return .noSuchEndpoint(name: name)
                case "user": return .noSuchUser(name: name)
                default: return .noSuchSession(id: name)
                }
            case .alreadyExists(let kind, let name):
                switch kind {
                case "server": return .serverExists(name: name)
                case "endpoint": return .endpointExists(name: name)
                default: return .userExists(name: name)
                }
            case .serverInUse(let server, let endpoints): return .serverInUse(name: server, endpoints: endpoints)
            case .notAttached(let endpoint, let server): return .serverNotAttached(endpoint: endpoint, server: server)
            case .noSuchTool(let endpoint, let tool):
                return .noSuchTool(endpoint: endpoint, tool: tool, reason: "no server attached to the endpoint lists it")
            case .noSuchPrompt(let endpoint, let prompt):
                return .noSuchPrompt(endpoint: endpoint, prompt: prompt, reason: "no server attached to the endpoint lists it")
            case .invalid(let field, let reason): return .invalidValue(field: field, reason: reason)
            case .newerSchema: return .internalError(message: error.description)
            }
        case let error as SecretKeyNotRotatable:
            return .secretKeyNotRotatable(reason: error.reason)
        default:
            return .internalError(message: String(describing: error))
        }
    }

    /// Serves a typed method: decodes its (already IDL-checked) parameters and encodes its reply.
    func serve<Method: ManagerMethod>(
        _ method: Method.Type, _ request: ManagerRequest, _ body: (Method.Parameters) async throws -> Method.Reply
    ) async throws -> VarlinkResponse {
        let parameters: Method.Parameters
        do {
            parameters = try ManagerAPI.decode(Method.Parameters.self, from: request.call.parameters)
        } catch {
            throw VarlinkError.invalidParameter(Self.path(of: error))
        }
        let reply = try ManagerAPI.object(try await body(parameters))
        return .reply(definition.presentingAbsentOptionals(in: reply, method: Method.name))
    }

    /// The parameter a decoding failure points at.
    static func path(of error: any Error) -> String {
        guard let error = error as? DecodingError else { return "" }
        let context: DecodingError.Context
        switch error {
        case .typeMismatch(_, let found), .valueNotFound(_, let found), .dataCorrupted(let found): context = found
        case .keyNotFound(let key, let found): return (found.codingPath + [key]).map(\.stringValue).joined(separator: ".")
        @unknown default: return ""
        }
        return context.codingPath.map(\.stringValue).joined(separator: ".")
    }

    /// Audits a change (its names come from the event, `fields` adds details) and tells subscribers about it.
    func recordChange(_ request: ManagerRequest, _ event: ChangeEvent, message: String, fields: [AuditField: String] = [:]) {
        var all = fields.merging(event.auditFields) { _, fromEvent in fromEvent }
        all[.peerUID] = String(request.peer.uid)
        all[.peerPID] = String(request.peer.pid)
        audit.record(AuditEvent(kind: .configChanged, message: message + " (uid \(request.peer.uid))", fields: all))
        changes.publish(ControlChange(time: Date(), origin: request.origin, event: event))
    }

    private func getStatus() async throws -> ManagerAPI.GetStatus.Reply {
        let counts = try await store.counts()
        let status = runtime()
        return ManagerAPI.GetStatus.Reply(
            status: ManagerAPI.Status(
                version: status.version, pid: Int(status.pid), started: Timestamp.format(status.started),
                uptimeSeconds: Int(max(0, Date().timeIntervalSince(status.started))), publicURL: status.publicURL,
                httpListen: status.httpListen, controlSocket: status.controlSocket, stateDirectory: status.stateDirectory,
                database: store.path, schemaMigrations: try store.appliedMigrations(), servers: counts.servers,
                endpoints: counts.endpoints, users: counts.users, activeSessions: counts.activeGrants,
                openConnections: status.openConnections, logTarget: status.logTarget, auditTarget: status.auditTarget))
    }

    private func watchChanges(_ request: ManagerRequest) -> VarlinkResponse {
        .stream(changes.subscribe(mapping: Self.watchReplies))
    }

    /// The `WatchChanges` replies of a change: its wire names come from the typed event, nowhere else.
    static func watchReplies(_ change: ControlChange) -> [VarlinkStreamReply] {
        change.event.summaries.compactMap { summary in
            let reply = ManagerAPI.WatchChanges.Reply(
                change: ManagerAPI.Change(
                    time: Timestamp.format(change.time), action: summary.action, object: summary.object.rawValue,
                    name: summary.name, uid: Int(change.origin.uid), pid: Int(change.origin.pid)))
            return (try? ManagerAPI.object(reply)).map { VarlinkStreamReply($0, continues: true) }
        }
    }
}

/// A call and its caller: what a method needs besides its typed parameters (to audit a change and name its origin).
struct ManagerRequest {
    let call: VarlinkCall
    let peer: VarlinkPeer

    /// The caller, as a change records it.
    var origin: ChangeOrigin { .peer(uid: peer.uid, pid: peer.pid) }
}

/// RFC 3339 timestamps in UTC, as every control reply uses.
enum Timestamp {
    static func format(_ date: Date) -> String {
        date.ISO8601Format()
    }

    static func format(_ date: Date?) -> String? {
        date.map(format)
    }
}

/// Why the secret key cannot be rotated, reported as `SecretKeyNotRotatable(reason)`.
public struct SecretKeyNotRotatable: Error, CustomStringConvertible {
    public var reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { reason }
}
