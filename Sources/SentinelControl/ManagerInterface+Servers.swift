import Foundation
import SentinelControlAPI
import SentinelCore
import SentinelStore
import SentinelVarlink

extension ManagerInterface {
    func addServer(_ parameters: ManagerAPI.AddServer.Parameters, _ request: ManagerRequest) async throws -> ManagerAPI.ServerReply {
        let spec = parameters.server
        let settings = spec.settings
        let now = Date()
        var server = Server(
            name: spec.name,
            transport: spec.transport,
            description: settings.description ?? "",
            command: settings.command ?? [],
            environment: settings.environment ?? [:],
            workingDirectory: settings.workingDirectory,
            url: settings.url,
            credentialMode: settings.credentialMode ?? .none,
            connectTimeoutSeconds: settings.connectTimeout ?? Server.defaultConnectTimeoutSeconds,
            callTimeoutSeconds: settings.callTimeout ?? Server.defaultCallTimeoutSeconds,
            createdAt: now,
            updatedAt: now)
        server.headers = settings.headers ?? [:]
        Self.applyCredentialSettings(settings, to: &server)
        if settings.token != nil && server.credentialMode != .shared {
            throw ManagerError.invalidValue(
                field: "token",
                reason: server.credentialMode == .personal
                    ? "a token can be given only to a server in shared mode (a personal server's catalog credential: "
                        + "sentinelctl server login \(server.name) --token-stdin, once it is added)"
                    : "a token can be given only to a server in shared mode")
        }
        let added = try await store.addServer(server)
        if let token = settings.token { try await setSharedToken(added, token) }
        recordChange(
            request, .serverAdded(server: added.name),
            message: "server \(added.name) added (\(added.transport.rawValue))",
            fields: [.changes: Self.serverSummary(added)])
        // Connect and fetch the catalog now, so the reply shows the tools (or why it failed).
        await catalogs?.refresh(server: added.name)
        return ManagerAPI.ServerReply(server: try await encode(try await store.server(named: added.name)))
    }

    func listServers() async throws -> ManagerAPI.ListServers.Reply {
        var result: [ManagerAPI.Server] = []
        for server in try await store.servers() { result.append(try await encode(server)) }
        return ManagerAPI.ListServers.Reply(servers: result)
    }

    func getServer(_ name: String) async throws -> ManagerAPI.ServerReply {
        ManagerAPI.ServerReply(server: try await encode(try await store.server(named: name)))
    }

    func updateServer(_ parameters: ManagerAPI.UpdateServer.Parameters, _ request: ManagerRequest) async throws -> ManagerAPI.ServerReply {
        let name = parameters.name
        let changes = parameters.changes
        let previousMode = try await store.server(named: name).credentialMode
        let updated = try await store.updateServer(named: name) { server in
            if let value = changes.description { server.description = value }
            if let value = changes.command { server.command = value }
            if let value = changes.environment { server.environment = value }
            if let value = changes.workingDirectory { server.workingDirectory = value.isEmpty ? nil : value }
            if let value = changes.url { server.url = value }
            if let value = changes.headers { server.headers = value }
            if let value = changes.credentialMode { server.credentialMode = value }
            if let value = changes.connectTimeout { server.connectTimeoutSeconds = value }
            if let value = changes.callTimeout { server.callTimeoutSeconds = value }
            Self.applyCredentialSettings(changes, to: &server)
        }
        if changes.url != nil || changes.command != nil {
            // Credentials were issued for the old target: never send them to a new one.
            try await credentials?.discard(server: name, shared: true)
            try await credentials?.discard(server: name, shared: false)
        } else if let mode = changes.credentialMode {
            // Secrets the new mode does not use are discarded, not kept around.
            if mode != .shared { try await credentials?.discard(server: name, shared: true) }
            if mode != .personal { try await credentials?.discard(server: name, shared: false) }
            // A personal server's own credential only ever listed its catalog: it never becomes everyone's.
            if previousMode == .personal && mode == .shared { try await credentials?.discard(server: name, shared: true) }
        }
        if let token = changes.token {
            guard updated.credentialMode == .shared else {
                throw ManagerError.invalidValue(field: "token", reason: "a token can be given only to a server in shared mode")
            }
            try await setSharedToken(updated, token)
        }
        recordChange(
            request, .serverUpdated(server: name),
            message: "server \(name) updated (\(changes.setNames.joined(separator: ", ")))",
            fields: [.changes: JSONValue.object(try ManagerAPI.object(changes.withoutSecrets)).text()])
        await catalogs?.serverChanged(name)
        return ManagerAPI.ServerReply(server: try await encode(try await store.server(named: updated.name)))
    }

    static func applyCredentialSettings(_ settings: ManagerAPI.ServerSettings, to server: inout Server) {
        if let value = settings.credentialKind { server.credentialKind = value }
        if let value = settings.credentialEnv { server.credentialEnv = value.isEmpty ? nil : value }
        if let value = settings.credentialHint { server.credentialHint = value.isEmpty ? nil : value }
        if let value = settings.oauthClientID {
            server.oauthClientID = value.isEmpty ? nil : value
            if value.isEmpty { server.oauthClientSecret = nil }
        }
        if let value = settings.oauthClientSecret { server.oauthClientSecret = value.isEmpty ? nil : value }
    }

    func setSharedToken(_ server: Server, _ token: String) async throws {
        guard let credentials else { throw ManagerError.internalError(message: "credentials are not available") }
        do {
            try await credentials.setSharedToken(server: server, token: token)
        } catch {
            throw ManagerError.invalidValue(field: "token", reason: "\(error)")
        }
    }

    /// Connects the server's own credential: a shared server's, or a personal server's catalog-only one (it lists
    /// the tools; `PooledUpstreams` never hands it to a user's call). A token is stored and the catalog fetched with
    /// it at once; an OAuth server's sign-in starts instead, and the callback stores the credential.
    func loginServer(_ parameters: ManagerAPI.LoginServer.Parameters, _ request: ManagerRequest) async throws -> ManagerAPI.LoginServer.Reply {
        let server = try await store.server(named: parameters.name)
        let name = server.name
        let purpose = server.credentialMode == .personal ? "catalog credential" : "shared credential"
        switch (server.credentialMode, server.credentialKind, parameters.token) {
        case (.none, _, _):
            throw ManagerError.invalidValue(field: "name", reason: "server \(name) needs no credential (its credential mode is none)")
        case (_, .oauth, .some):
            throw ManagerError.invalidValue(
                field: "token", reason: "server \(name) signs in with OAuth: run sentinelctl server login \(name) without a token")
        case (_, .bearer, nil):
            throw ManagerError.invalidValue(
                field: "token", reason: "server \(name) takes a bearer token: sentinelctl server login \(name) --token-stdin")
        case (_, .bearer, .some(let token)):
            try await setSharedToken(server, token)
            recordChange(
                request, .serverSignInStarted(server: name), message: "\(purpose) of \(name) connected (bearer token)",
                fields: [.detail: purpose])
            await catalogs?.refresh(server: name)
            return ManagerAPI.LoginServer.Reply(server: try await encode(try await store.server(named: name)))
        case (_, .oauth, nil):
            guard let credentials else { throw ManagerError.internalError(message: "credentials are not available") }
            let url: String
            do {
                url = try await credentials.beginSharedLogin(server: server)
            } catch {
                throw ManagerError.invalidValue(field: "name", reason: "cannot start the sign-in: \(error)")
            }
            recordChange(
                request, .serverSignInStarted(server: name),
                message: server.credentialMode == .personal
                    ? "sign-in for the catalog credential of \(name) started" : "sign-in to \(name) started",
                fields: [.detail: purpose])
            return ManagerAPI.LoginServer.Reply(url: url)
        }
    }

    func rotateSecretKey(_ request: ManagerRequest) async throws -> ManagerAPI.RotateSecretKey.Reply {
        guard let credentials else { throw SecretKeyNotRotatable(reason: "this daemon keeps no secrets") }
        let count: Int
        do {
            count = try await credentials.rotateSecretKey()
        } catch let error as SecretKeyNotRotatable {
            throw error
        } catch {
            throw ManagerError.internalError(message: "the key was not rotated: \(error)")
        }
        recordChange(
            request, .secretKeyRotated,
            message: "secret key rotated, \(count) secret(s) re-encrypted")
        return ManagerAPI.RotateSecretKey.Reply(reencrypted: count)
    }

    func removeServer(_ parameters: ManagerAPI.RemoveServer.Parameters, _ request: ManagerRequest) async throws -> ManagerAPI.RemoveServer.Reply {
        let name = parameters.name
        let detached = try await store.removeServer(named: name, force: parameters.force ?? false)
        await catalogs?.serverRemoved(name)
        recordChange(
            request, .serverRemoved(server: name),
            message: detached.isEmpty
                ? "server \(name) removed" : "server \(name) removed and detached from \(detached.joined(separator: ", "))")
        return ManagerAPI.RemoveServer.Reply(detachedFrom: detached)
    }

    func refreshServer(_ name: String, _ request: ManagerRequest) async throws -> ManagerAPI.ServerReply {
        _ = try await store.server(named: name)
        await catalogs?.refresh(server: name)
        let server = try await store.server(named: name)
        recordChange(
            request, .serverRefreshRequested(server: name),
            message: server.lastError.map { "catalog refresh of \(name) failed: \($0)" } ?? "catalog of \(name) refreshed")
        return ManagerAPI.ServerReply(server: try await encode(server))
    }

    func listServerTools(_ name: String) async throws -> ManagerAPI.ListServerTools.Reply {
        ManagerAPI.ListServerTools.Reply(
            tools: try await store.tools(server: name).map { tool in
                ManagerAPI.Tool(
                    server: tool.server, name: tool.name, title: tool.title, description: tool.description,
                    inputSchema: tool.inputSchema, outputSchema: tool.outputSchema, annotations: tool.annotations,
                    discovered: Timestamp.format(tool.discoveredAt))
            })
    }

    func encode(_ server: Server) async throws -> ManagerAPI.Server {
        let toolCount = try await store.tools(server: server.name).count
        let endpoints = try await store.endpoints().filter { $0.servers.contains(server.name) }.map(\.name)
        let summary = try await credentials?.summary(server: server.name)
        let personal = server.credentialMode == .personal
        let own = summary?.shared
        return ManagerAPI.Server(
            name: server.name, transport: server.transport, description: server.description, command: server.command,
            environment: server.environment, workingDirectory: server.workingDirectory, url: server.url,
            headerNames: server.headers.keys.sorted(), credentialMode: server.credentialMode,
            credentialKind: server.credentialKind,
            credentialEnv: server.transport == .stdio && server.credentialMode != .none ? server.effectiveCredentialEnv : nil,
            credentialHint: server.credentialHint, oauthClientID: server.oauthClientID,
            sharedCredential: server.credentialMode == .shared ? summary?.shared ?? "missing" : nil,
            connectedUsers: personal ? summary?.connectedUsers ?? 0 : 0, expiredUsers: personal ? summary?.expiredUsers ?? 0 : 0,
            catalogCredential: personal ? own ?? "missing" : nil,
            catalogState: Self.catalogState(server, ownCredential: own, connectedUsers: summary?.connectedUsers ?? 0),
            connectTimeout: server.connectTimeoutSeconds, callTimeout: server.callTimeoutSeconds, toolCount: toolCount,
            endpoints: endpoints, created: Timestamp.format(server.createdAt), updated: Timestamp.format(server.updatedAt),
            refreshed: Timestamp.format(server.refreshedAt), lastError: server.lastError,
            protocolFaults: runtime().upstreamProtocolFaults[server.name] ?? 0)
    }

    /// Where a server's catalog stands. A catalog that cannot be listed because no credential is connected yet (the
    /// server's own, or for a personal server any user's) is waiting, not failed: that is how every credentialed
    /// server starts.
    static func catalogState(_ server: Server, ownCredential: String?, connectedUsers: Int) -> ManagerAPI.CatalogState {
        if server.refreshedAt != nil && server.lastError == nil { return .listed }
        let canList: Bool
        switch server.credentialMode {
        case .none: canList = true
        case .shared: canList = ownCredential == UpstreamCredential.State.connected.rawValue || !server.headers.isEmpty
        case .personal: canList = ownCredential == UpstreamCredential.State.connected.rawValue || connectedUsers > 0
        }
        if !canList { return .waitingForCredential }
        return server.refreshedAt == nil ? .notRefreshed : .failed
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
