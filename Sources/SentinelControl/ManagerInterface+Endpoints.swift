import Foundation
import SentinelControlAPI
import SentinelCore
import SentinelStore
import SentinelVarlink

extension ManagerInterface {
    func createEndpoint(
        _ parameters: ManagerAPI.CreateEndpoint.Parameters, _ request: ManagerRequest
    ) async throws -> ManagerAPI.EndpointReply {
        let now = Date()
        let endpoint = Endpoint(
            name: parameters.name,
            description: parameters.description ?? "",
            auth: parameters.auth ?? .oauth,
            capturePayloads: parameters.capturePayloads ?? false,
            servers: parameters.servers ?? [],
            createdAt: now,
            updatedAt: now)
        try requireLoopbackForNoAuth(endpoint.auth)
        let created = try await store.createEndpoint(endpoint)
        recordChange(
            request, .endpointCreated(endpoint: created.name),
            message: "endpoint \(created.name) created with servers [\(created.servers.joined(separator: ", "))], auth \(created.auth.rawValue)")
        return ManagerAPI.EndpointReply(endpoint: try await encode(created))
    }

    /// An endpoint without authentication is allowed only while HTTP listens on loopback.
    func requireLoopbackForNoAuth(_ auth: EndpointAuth) throws {
        let status = runtime()
        guard auth == .none, !status.httpIsLoopback else { return }
        throw ManagerError.invalidValue(
            field: "auth",
            reason: "an endpoint without authentication is allowed only while HTTP listens on loopback (it listens on \(status.httpListen))")
    }

    func listEndpoints() async throws -> ManagerAPI.ListEndpoints.Reply {
        var result: [ManagerAPI.Endpoint] = []
        for endpoint in try await store.endpoints() { result.append(try await encode(endpoint)) }
        return ManagerAPI.ListEndpoints.Reply(endpoints: result)
    }

    func getEndpoint(_ name: String) async throws -> ManagerAPI.EndpointReply {
        ManagerAPI.EndpointReply(endpoint: try await encode(try await store.endpoint(named: name)))
    }

    func updateEndpoint(
        _ parameters: ManagerAPI.UpdateEndpoint.Parameters, _ request: ManagerRequest
    ) async throws -> ManagerAPI.EndpointReply {
        let name = parameters.name
        let changes = parameters.changes
        if let auth = changes.auth { try requireLoopbackForNoAuth(auth) }
        let updated = try await store.updateEndpoint(named: name) { endpoint in
            if let value = changes.description { endpoint.description = value }
            if let value = changes.auth { endpoint.auth = value }
            if let value = changes.capturePayloads { endpoint.capturePayloads = value }
        }
        let changed = try ManagerAPI.object(changes)
        recordChange(
            request, .endpointUpdated(endpoint: name),
            message: "endpoint \(name) updated (\(changed.keys.sorted().joined(separator: ", ")))",
            fields: [.changes: JSONValue.object(changed).text()])
        return ManagerAPI.EndpointReply(endpoint: try await encode(updated))
    }

    func deleteEndpoint(_ name: String, _ request: ManagerRequest) async throws -> ManagerAPI.Empty {
        // Deleting the endpoint deletes its grants: they are revoked as any other, so their tokens stop at once.
        let grants = try await store.grants(matching: GrantFilter(endpoint: name))
        try await store.deleteEndpoint(named: name)
        revocations.revoke(grantIDs: grants.map(\.id), by: request.origin)
        recordChange(request, .endpointDeleted(endpoint: name), message: "endpoint \(name) deleted")
        return ManagerAPI.Empty()
    }

    func attachServer(_ parameters: ManagerAPI.EndpointServer, _ request: ManagerRequest) async throws -> ManagerAPI.EndpointReply {
        let (endpoint, server) = (parameters.endpoint, parameters.server)
        if try await store.attach(server: server, to: endpoint) {
            recordChange(
                request, .serverAttached(endpoint: endpoint, server: server),
                message: "server \(server) attached to endpoint \(endpoint)")
        }
        return try await getEndpoint(endpoint)
    }

    func detachServer(_ parameters: ManagerAPI.EndpointServer, _ request: ManagerRequest) async throws -> ManagerAPI.EndpointReply {
        let (endpoint, server) = (parameters.endpoint, parameters.server)
        try await store.detach(server: server, from: endpoint)
        recordChange(
            request, .serverDetached(endpoint: endpoint, server: server),
            message: "server \(server) detached from endpoint \(endpoint)")
        return try await getEndpoint(endpoint)
    }

    func listToolSelections(_ endpoint: String) async throws -> ManagerAPI.ListToolSelections.Reply {
        let listed = try await store.toolSelections(endpoint: endpoint)
        let unlisted = try await store.unlistedEnabledTools(endpoint: endpoint)
        return ManagerAPI.ListToolSelections.Reply(tools: (listed + unlisted).map(Self.encode))
    }

    func setTools(_ parameters: ManagerAPI.ToolChange, _ request: ManagerRequest, enabled: Bool) async throws -> ManagerAPI.ToolChangeReply {
        let endpoint = parameters.endpoint
        let tools = parameters.tools ?? []
        let servers = parameters.allOf ?? []
        guard !tools.isEmpty || !servers.isEmpty else {
            throw ManagerError.invalidValue(field: "tools", reason: "name at least one SERVER/TOOL or a server in all_of")
        }
        if enabled, !servers.isEmpty {
            // Enabling a whole catalog that is not there yet would change nothing, silently.
            let attached = try await store.endpoint(named: endpoint).servers
            for server in servers where attached.contains(server) {
                guard try await store.tools(server: server).isEmpty else { continue }
                throw ManagerError.invalidValue(
                    field: "all_of",
                    reason: "server \(server) lists no tools yet, so all of them is none; name its tools as \(server)/TOOL "
                        + "to enable them ahead of its catalog")
            }
        }
        let changed: [ToolSelection]
        do {
            changed = try await store.setTools(endpoint: endpoint, tools: tools, allOf: servers, enabled: enabled)
        } catch StoreError.noSuchTool(let endpoint, let tool) {
            throw ManagerError.noSuchTool(
                endpoint: endpoint, tool: tool, reason: await whyUnknown(tool, endpoint: endpoint, enabling: enabled))
        }
        if !changed.isEmpty {
            let verb = enabled ? "enabled" : "disabled"
            recordChange(
                request,
                .toolsSelected(
                    endpoint: endpoint, tools: changed.map { ToolReference(server: $0.server, tool: $0.tool) }, enabled: enabled),
                message: "\(changed.count) tool(s) \(verb) on endpoint \(endpoint): "
                    + changed.map(\.exposedName).joined(separator: ", "))
        }
        return ManagerAPI.ToolChangeReply(changed: changed.map(Self.encode))
    }

    /// Why `name` names no tool the endpoint can enable or disable, in words an admin can act on.
    func whyUnknown(_ name: String, endpoint: String, enabling: Bool) async -> String {
        guard let reference = ToolReference(naming: name) else {
            return "name it SERVER/TOOL, or by the exposed name that sentinelctl endpoint tools \(endpoint) shows"
        }
        let server = reference.server
        guard (try? await store.server(named: server)) != nil else { return "no server named '\(server)'" }
        guard let attached = try? await store.endpoint(named: endpoint).servers, attached.contains(server) else {
            return "server '\(server)' is not attached to endpoint '\(endpoint)' (sentinelctl endpoint attach \(endpoint) \(server))"
        }
        let count = (try? await store.tools(server: server).count) ?? 0
        if !enabling && count == 0 { return "it is not enabled, and server \(server) lists no tools yet" }
        let prompts = (try? await store.surface(server: server).prompts) ?? []
        if prompts.contains(where: { $0.name == reference.tool }) {
            return "server \(server) lists \(count) tool(s), none named '\(reference.tool)'; \(reference.tool) is a prompt "
                + "(sentinelctl endpoint \(enabling ? "enable" : "disable") \(endpoint) --prompt \(server)/\(reference.tool))"
        }
        return "server \(server) lists \(count) tool(s), none named '\(reference.tool)'"
    }

    func allowAccess(_ parameters: ManagerAPI.AccessChange, _ request: ManagerRequest) async throws -> ManagerAPI.EndpointReply {
        let name = parameters.endpoint
        let principals = try Self.principals(parameters)
        let access = try await store.allow(principals, endpoint: name)
        recordChange(
            request, Self.accessChange(principals, endpoint: name, allowed: true),
            message: "endpoint \(name) allows \(Self.describe(principals))",
            fields: [.allowedUsers: access.users.joined(separator: " "), .allowedGroups: access.groups.joined(separator: " ")])
        return try await getEndpoint(name)
    }

    func denyAccess(_ parameters: ManagerAPI.AccessChange, _ request: ManagerRequest) async throws -> ManagerAPI.DenyAccess.Reply {
        let name = parameters.endpoint
        let principals = try Self.principals(parameters)
        let (access, revoked) = try await store.deny(principals, endpoint: name)
        recordRevocations(revoked, request: request)
        recordChange(
            request, Self.accessChange(principals, endpoint: name, allowed: false),
            message: "endpoint \(name) no longer allows \(Self.describe(principals)); \(revoked.count) session(s) revoked",
            fields: [.allowedUsers: access.users.joined(separator: " "), .allowedGroups: access.groups.joined(separator: " ")])
        return ManagerAPI.DenyAccess.Reply(
            endpoint: try await encode(try await store.endpoint(named: name)), revoked: revoked.map(Self.session))
    }

    static func principals(_ parameters: ManagerAPI.AccessChange) throws -> [AccessPrincipal] {
        let principals = (parameters.users ?? []).map(AccessPrincipal.user) + (parameters.groups ?? []).map(AccessPrincipal.group)
        guard !principals.isEmpty else { throw ManagerError.invalidValue(field: "users", reason: "name at least one user or group") }
        return principals
    }

    static func accessChange(_ principals: [AccessPrincipal], endpoint: String, allowed: Bool) -> ChangeEvent {
        var users: [String] = []
        var groups: [String] = []
        for principal in principals {
            switch principal {
            case .user(let name): users.append(name)
            case .group(let name): groups.append(name)
            }
        }
        return allowed
            ? .accessAllowed(endpoint: endpoint, users: users, groups: groups)
            : .accessDenied(endpoint: endpoint, users: users, groups: groups)
    }

    static func describe(_ principals: [AccessPrincipal]) -> String {
        principals.map { principal in
            switch principal {
            case .user(let name): "user \(name)"
            case .group(let name): "group \(name)"
            }
        }.joined(separator: ", ")
    }

    func encode(_ endpoint: Endpoint) async throws -> ManagerAPI.Endpoint {
        let selections = try await store.toolSelections(endpoint: endpoint.name)
        let awaiting = try await store.unlistedEnabledTools(endpoint: endpoint.name)
        let access = try await store.access(endpoint: endpoint.name)
        let prompts = try await store.promptSelections(endpoint: endpoint.name)
        let rules = try await store.resourceRules(endpoint: endpoint.name)
        return ManagerAPI.Endpoint(
            name: endpoint.name, description: endpoint.description, auth: endpoint.auth,
            capturePayloads: endpoint.capturePayloads, servers: endpoint.servers,
            url: runtime().publicURL + "/mcp/" + endpoint.name, allowedUsers: access.users, allowedGroups: access.groups,
            enabledTools: selections.filter(\.enabled).count, availableTools: selections.count, awaitingTools: awaiting.count,
            enabledPrompts: prompts.filter(\.enabled).count, availablePrompts: prompts.count, resourceRules: rules.count,
            created: Timestamp.format(endpoint.createdAt), updated: Timestamp.format(endpoint.updatedAt))
    }

    static func encode(_ selection: ToolSelection) -> ManagerAPI.ToolSelection {
        ManagerAPI.ToolSelection(
            server: selection.server, tool: selection.tool, exposedName: selection.exposedName, enabled: selection.enabled,
            listed: selection.listed)
    }
}
