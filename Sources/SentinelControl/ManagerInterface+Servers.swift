import Foundation
import SentinelControlAPI
import SentinelCore
import SentinelStore
import SentinelVarlink

extension ManagerInterface {
    func addServer(_ request: ManagerRequest) async throws -> [String: JSONValue] {
        let spec = request.object("server")
        let now = Date()
        let server = Server(
            name: spec["name"]?.stringValue ?? "",
            transport: ServerTransport(rawValue: spec["transport"]?.stringValue ?? "") ?? .stdio,
            description: spec["description"]?.stringValue ?? "",
            command: spec["command"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            environment: spec["environment"]?.objectValue?.compactMapValues(\.stringValue) ?? [:],
            workingDirectory: spec["working_directory"]?.stringValue,
            url: spec["url"]?.stringValue,
            credentialMode: CredentialMode(rawValue: spec["credential_mode"]?.stringValue ?? "none") ?? .none,
            connectTimeoutSeconds: spec["connect_timeout"]?.intValue.map(Int.init) ?? Server.defaultConnectTimeoutSeconds,
            callTimeoutSeconds: spec["call_timeout"]?.intValue.map(Int.init) ?? Server.defaultCallTimeoutSeconds,
            createdAt: now,
            updatedAt: now)
        var withHeaders = server
        withHeaders.headers = spec["headers"]?.objectValue?.compactMapValues(\.stringValue) ?? [:]
        Self.applyCredentialSettings(spec, to: &withHeaders)
        let token = spec["token"]?.stringValue
        if token != nil && withHeaders.credentialMode != .shared {
            throw InvalidValue(field: "token", reason: "a token can be given only to a server in shared mode")
        }
        let added = try await store.addServer(withHeaders)
        if let token { try await setSharedToken(added, token) }
        recordChange(
            request, .serverAdded(server: added.name),
            message: "server \(added.name) added (\(added.transport.rawValue))",
            fields: [.changes: Self.serverSummary(added)])
        // Connect and fetch the catalog now, so the reply shows the tools (or why it failed).
        await catalogs?.refresh(server: added.name)
        return ["server": try await encode(try await store.server(named: added.name))]
    }

    func listServers() async throws -> [String: JSONValue] {
        var result: [JSONValue] = []
        for server in try await store.servers() { result.append(try await encode(server)) }
        return ["servers": .array(result)]
    }

    func getServer(_ request: ManagerRequest) async throws -> [String: JSONValue] {
        ["server": try await encode(try await store.server(named: request.string("name")))]
    }

    func updateServer(_ request: ManagerRequest) async throws -> [String: JSONValue] {
        let name = request.string("name")
        let changes = request.object("changes")
        let updated = try await store.updateServer(named: name) { server in
            if let value = changes["description"]?.stringValue { server.description = value }
            if let value = changes["command"]?.arrayValue { server.command = value.compactMap(\.stringValue) }
            if let value = changes["environment"]?.objectValue { server.environment = value.compactMapValues(\.stringValue) }
            if let value = changes["working_directory"]?.stringValue { server.workingDirectory = value.isEmpty ? nil : value }
            if let value = changes["url"]?.stringValue { server.url = value }
            if let value = changes["headers"]?.objectValue { server.headers = value.compactMapValues(\.stringValue) }
            if let value = changes["credential_mode"]?.stringValue { server.credentialMode = CredentialMode(rawValue: value) ?? .none }
            if let value = changes["connect_timeout"]?.intValue { server.connectTimeoutSeconds = Int(value) }
            if let value = changes["call_timeout"]?.intValue { server.callTimeoutSeconds = Int(value) }
            Self.applyCredentialSettings(changes, to: &server)
        }
        if changes["url"] != nil || changes["command"] != nil {
            // Credentials were issued for the old target: never send them to a new one.
            try await credentials?.discard(server: name, shared: true)
            try await credentials?.discard(server: name, shared: false)
        } else if let mode = changes["credential_mode"]?.stringValue.flatMap(CredentialMode.init(rawValue:)) {
            // Secrets the new mode does not use are discarded, not kept around.
            if mode != .shared { try await credentials?.discard(server: name, shared: true) }
            if mode != .personal { try await credentials?.discard(server: name, shared: false) }
        }
        if let token = changes["token"]?.stringValue {
            guard updated.credentialMode == .shared else {
                throw InvalidValue(field: "token", reason: "a token can be given only to a server in shared mode")
            }
            try await setSharedToken(updated, token)
        }
        recordChange(
            request, .serverUpdated(server: name),
            message: "server \(name) updated (\(changes.keys.sorted().joined(separator: ", ")))",
            fields: [.changes: JSONValue.object(changes.filter { $0.key != "environment" && $0.key != "headers" }).text()])
        await catalogs?.serverChanged(name)
        return ["server": try await encode(try await store.server(named: updated.name))]
    }

    static func applyCredentialSettings(_ fields: [String: JSONValue], to server: inout Server) {
        if let value = fields["credential_kind"]?.stringValue { server.credentialKind = CredentialKind(rawValue: value) ?? .bearer }
        if let value = fields["credential_env"]?.stringValue { server.credentialEnv = value.isEmpty ? nil : value }
        if let value = fields["oauth_client_id"]?.stringValue {
            server.oauthClientID = value.isEmpty ? nil : value
            if value.isEmpty { server.oauthClientSecret = nil }
        }
        if let value = fields["oauth_client_secret"]?.stringValue { server.oauthClientSecret = value.isEmpty ? nil : value }
    }

    func setSharedToken(_ server: Server, _ token: String) async throws {
        guard let credentials else { throw InternalError(message: "credentials are not available") }
        do {
            try await credentials.setSharedToken(server: server, token: token)
        } catch {
            throw InvalidValue(field: "token", reason: "\(error)")
        }
    }

    func loginServer(_ request: ManagerRequest) async throws -> [String: JSONValue] {
        let server = try await store.server(named: request.string("name"))
        guard server.credentialMode == .shared, server.credentialKind == .oauth else {
            throw InvalidValue(field: "name", reason: "server \(server.name) is not a shared server using OAuth (--credential shared --auth oauth)")
        }
        guard let credentials else { throw InternalError(message: "credentials are not available") }
        let url: String
        do {
            url = try await credentials.beginSharedLogin(server: server)
        } catch {
            throw InvalidValue(field: "name", reason: "cannot start the sign-in: \(error)")
        }
        recordChange(request, .serverSignInStarted(server: server.name), message: "sign-in to \(server.name) started")
        return ["url": .string(url)]
    }

    func rotateSecretKey(_ request: ManagerRequest) async throws -> ManagerAPI.RotateSecretKey.Reply {
        guard let credentials else { throw SecretKeyNotRotatable(reason: "this daemon keeps no secrets") }
        let count: Int
        do {
            count = try await credentials.rotateSecretKey()
        } catch let error as SecretKeyNotRotatable {
            throw error
        } catch {
            throw InternalError(message: "the key was not rotated: \(error)")
        }
        recordChange(
            request, .secretKeyRotated,
            message: "secret key rotated, \(count) secret(s) re-encrypted")
        return ManagerAPI.RotateSecretKey.Reply(reencrypted: count)
    }

    func removeServer(_ request: ManagerRequest) async throws -> [String: JSONValue] {
        let name = request.string("name")
        let detached = try await store.removeServer(named: name, force: request.optionalBool("force") ?? false)
        await catalogs?.serverRemoved(name)
        recordChange(
            request, .serverRemoved(server: name),
            message: detached.isEmpty
                ? "server \(name) removed" : "server \(name) removed and detached from \(detached.joined(separator: ", "))")
        return ["detached_from": JSONValue(detached)]
    }

    func refreshServer(_ request: ManagerRequest) async throws -> [String: JSONValue] {
        let name = request.string("name")
        _ = try await store.server(named: name)
        await catalogs?.refresh(server: name)
        let server = try await store.server(named: name)
        recordChange(
            request, .serverRefreshRequested(server: name),
            message: server.lastError.map { "catalog refresh of \(name) failed: \($0)" } ?? "catalog of \(name) refreshed")
        return ["server": try await encode(server)]
    }

    func listServerTools(_ request: ManagerRequest) async throws -> [String: JSONValue] {
        let tools = try await store.tools(server: request.string("name"))
        return [
            "tools": .array(
                tools.map { tool in
                    [
                        "server": .string(tool.server), "name": .string(tool.name), "title": JSONValue(tool.title),
                        "description": JSONValue(tool.description), "input_schema": .string(tool.inputSchema),
                        "output_schema": JSONValue(tool.outputSchema), "annotations": JSONValue(tool.annotations),
                        "discovered": .string(Timestamp.format(tool.discoveredAt)),
                    ]
                })
        ]
    }

    func encode(_ server: Server) async throws -> JSONValue {
        let toolCount = try await store.tools(server: server.name).count
        let endpoints = try await store.endpoints().filter { $0.servers.contains(server.name) }.map(\.name)
        let summary = try await credentials?.summary(server: server.name)
        return [
            "name": .string(server.name),
            "transport": .string(server.transport.rawValue),
            "description": .string(server.description),
            "command": JSONValue(server.command),
            "environment": JSONValue(server.environment),
            "working_directory": JSONValue(server.workingDirectory),
            "url": JSONValue(server.url),
            "header_names": JSONValue(server.headers.keys.sorted()),
            "credential_mode": .string(server.credentialMode.rawValue),
            "credential_kind": .string(server.credentialKind.rawValue),
            "credential_env": JSONValue(server.transport == .stdio && server.credentialMode != .none ? server.effectiveCredentialEnv : nil),
            "oauth_client_id": JSONValue(server.oauthClientID),
            "shared_credential": JSONValue(server.credentialMode == .shared ? summary?.shared ?? "missing" : nil),
            "connected_users": .int(Int64(server.credentialMode == .personal ? summary?.connectedUsers ?? 0 : 0)),
            "expired_users": .int(Int64(server.credentialMode == .personal ? summary?.expiredUsers ?? 0 : 0)),
            "connect_timeout": .int(Int64(server.connectTimeoutSeconds)),
            "call_timeout": .int(Int64(server.callTimeoutSeconds)),
            "tool_count": .int(Int64(toolCount)),
            "endpoints": JSONValue(endpoints),
            "created": .string(Timestamp.format(server.createdAt)),
            "updated": .string(Timestamp.format(server.updatedAt)),
            "refreshed": Timestamp.format(server.refreshedAt),
            "last_error": JSONValue(server.lastError),
            "protocol_faults": .int(Int64(runtime().upstreamProtocolFaults[server.name] ?? 0)),
        ]
    }

    /// What an audit entry says about a server: its shape, never its environment values.
    static func serverSummary(_ server: Server) -> String {
        JSONValue.object([
            "transport": .string(server.transport.rawValue),
            "command": JSONValue(server.command),
            "environment_keys": JSONValue(server.environment.keys.sorted()),
            "header_names": JSONValue(server.headers.keys.sorted()),
            "url": JSONValue(server.url),
            "credential_mode": .string(server.credentialMode.rawValue),
        ]).text()
    }
}
