import Foundation
import SentinelCore
import SentinelStore
import SentinelVarlink

extension ManagerInterface {
    func createEndpoint(_ request: ManagerRequest) async throws -> [String: JSONValue] {
        let now = Date()
        let endpoint = Endpoint(
            name: request.string("name"),
            description: request.optionalString("description") ?? "",
            auth: EndpointAuth(rawValue: request.optionalString("auth") ?? "oauth") ?? .oauth,
            capturePayloads: request.optionalBool("capture_payloads") ?? false,
            servers: request.strings("servers"),
            createdAt: now,
            updatedAt: now)
        try requireLoopbackForNoAuth(endpoint.auth)
        let created = try await store.createEndpoint(endpoint)
        recordChange(
            request, action: "endpoint-create", object: "endpoint", name: created.name,
            message: "endpoint \(created.name) created with servers [\(created.servers.joined(separator: ", "))], auth \(created.auth.rawValue)")
        return ["endpoint": try await encode(created)]
    }

    /// An endpoint without authentication is allowed only while HTTP listens on loopback.
    func requireLoopbackForNoAuth(_ auth: EndpointAuth) throws {
        let status = runtime()
        guard auth == .none, !status.httpIsLoopback else { return }
        throw InvalidValue(
            field: "auth",
            reason: "an endpoint without authentication is allowed only while HTTP listens on loopback (it listens on \(status.httpListen))")
    }

    func listEndpoints() async throws -> [String: JSONValue] {
        var result: [JSONValue] = []
        for endpoint in try await store.endpoints() { result.append(try await encode(endpoint)) }
        return ["endpoints": .array(result)]
    }

    func getEndpoint(_ request: ManagerRequest) async throws -> [String: JSONValue] {
        ["endpoint": try await encode(try await store.endpoint(named: request.string("name")))]
    }

    func updateEndpoint(_ request: ManagerRequest) async throws -> [String: JSONValue] {
        let name = request.string("name")
        let changes = request.object("changes")
        if let auth = changes["auth"]?.stringValue, let mode = EndpointAuth(rawValue: auth) { try requireLoopbackForNoAuth(mode) }
        let updated = try await store.updateEndpoint(named: name) { endpoint in
            if let value = changes["description"]?.stringValue { endpoint.description = value }
            if let value = changes["auth"]?.stringValue { endpoint.auth = EndpointAuth(rawValue: value) ?? endpoint.auth }
            if let value = changes["capture_payloads"]?.boolValue { endpoint.capturePayloads = value }
        }
        recordChange(
            request, action: "endpoint-update", object: "endpoint", name: name,
            message: "endpoint \(name) updated (\(changes.keys.sorted().joined(separator: ", ")))",
            fields: [.changes: JSONValue.object(changes).text()])
        return ["endpoint": try await encode(updated)]
    }

    func deleteEndpoint(_ request: ManagerRequest) async throws -> [String: JSONValue] {
        let name = request.string("name")
        try await store.deleteEndpoint(named: name)
        recordChange(request, action: "endpoint-delete", object: "endpoint", name: name, message: "endpoint \(name) deleted")
        return [:]
    }

    func attachServer(_ request: ManagerRequest) async throws -> [String: JSONValue] {
        let endpoint = request.string("endpoint")
        let server = request.string("server")
        if try await store.attach(server: server, to: endpoint) {
            recordChange(
                request, action: "endpoint-attach", object: "endpoint", name: endpoint,
                message: "server \(server) attached to endpoint \(endpoint)", fields: [.server: server])
        }
        return ["endpoint": try await encode(try await store.endpoint(named: endpoint))]
    }

    func detachServer(_ request: ManagerRequest) async throws -> [String: JSONValue] {
        let endpoint = request.string("endpoint")
        let server = request.string("server")
        try await store.detach(server: server, from: endpoint)
        recordChange(
            request, action: "endpoint-detach", object: "endpoint", name: endpoint,
            message: "server \(server) detached from endpoint \(endpoint)", fields: [.server: server])
        return ["endpoint": try await encode(try await store.endpoint(named: endpoint))]
    }

    func listToolSelections(_ request: ManagerRequest) async throws -> [String: JSONValue] {
        let selections = try await store.toolSelections(endpoint: request.string("endpoint"))
        return ["tools": .array(selections.map(Self.encode))]
    }

    func setTools(_ request: ManagerRequest, enabled: Bool) async throws -> [String: JSONValue] {
        let endpoint = request.string("endpoint")
        let tools = request.strings("tools")
        let servers = request.strings("all_of")
        guard !tools.isEmpty || !servers.isEmpty else {
            throw InvalidValue(field: "tools", reason: "name at least one SERVER/TOOL or a server in all_of")
        }
        let changed = try await store.setTools(endpoint: endpoint, tools: tools, allOf: servers, enabled: enabled)
        if !changed.isEmpty {
            let verb = enabled ? "enabled" : "disabled"
            recordChange(
                request, action: enabled ? "endpoint-enable-tools" : "endpoint-disable-tools", object: "endpoint",
                name: endpoint,
                message: "\(changed.count) tool(s) \(verb) on endpoint \(endpoint): "
                    + changed.map(\.exposedName).joined(separator: ", "),
                fields: [.tools: changed.map { "\($0.server)/\($0.tool)" }.joined(separator: " ")])
        }
        return ["changed": .array(changed.map(Self.encode))]
    }

    func allowAccess(_ request: ManagerRequest) async throws -> [String: JSONValue] {
        let name = request.string("endpoint")
        let principals = try Self.principals(request)
        let access = try await store.allow(principals, endpoint: name)
        recordChange(
            request, action: "endpoint-allow", object: "endpoint", name: name,
            message: "endpoint \(name) allows \(Self.describe(principals))",
            fields: [.allowedUsers: access.users.joined(separator: " "), .allowedGroups: access.groups.joined(separator: " ")])
        return ["endpoint": try await encode(try await store.endpoint(named: name))]
    }

    func denyAccess(_ request: ManagerRequest) async throws -> [String: JSONValue] {
        let name = request.string("endpoint")
        let principals = try Self.principals(request)
        let (access, revoked) = try await store.deny(principals, endpoint: name)
        recordRevocations(revoked, request: request)
        recordChange(
            request, action: "endpoint-deny", object: "endpoint", name: name,
            message: "endpoint \(name) no longer allows \(Self.describe(principals)); \(revoked.count) session(s) revoked",
            fields: [.allowedUsers: access.users.joined(separator: " "), .allowedGroups: access.groups.joined(separator: " ")])
        return ["endpoint": try await encode(try await store.endpoint(named: name)), "revoked": .array(revoked.map(Self.encode))]
    }

    static func principals(_ request: ManagerRequest) throws -> [AccessPrincipal] {
        let principals = request.strings("users").map(AccessPrincipal.user) + request.strings("groups").map(AccessPrincipal.group)
        guard !principals.isEmpty else { throw InvalidValue(field: "users", reason: "name at least one user or group") }
        return principals
    }

    static func describe(_ principals: [AccessPrincipal]) -> String {
        principals.map { principal in
            switch principal {
            case .user(let name): "user \(name)"
            case .group(let name): "group \(name)"
            }
        }.joined(separator: ", ")
    }

    func encode(_ endpoint: Endpoint) async throws -> JSONValue {
        let selections = try await store.toolSelections(endpoint: endpoint.name)
        let access = try await store.access(endpoint: endpoint.name)
        return [
            "allowed_users": JSONValue(access.users),
            "allowed_groups": JSONValue(access.groups),
            "name": .string(endpoint.name),
            "description": .string(endpoint.description),
            "auth": .string(endpoint.auth.rawValue),
            "capture_payloads": .bool(endpoint.capturePayloads),
            "servers": JSONValue(endpoint.servers),
            "url": .string(runtime().publicURL + "/mcp/" + endpoint.name),
            "enabled_tools": .int(Int64(selections.filter(\.enabled).count)),
            "available_tools": .int(Int64(selections.count)),
            "created": .string(Timestamp.format(endpoint.createdAt)),
            "updated": .string(Timestamp.format(endpoint.updatedAt)),
        ]
    }

    static func encode(_ selection: ToolSelection) -> JSONValue {
        [
            "server": .string(selection.server),
            "tool": .string(selection.tool),
            "exposed_name": .string(selection.exposedName),
            "enabled": .bool(selection.enabled),
        ]
    }
}
