import Foundation
import SentinelCore
import SentinelCrypto
import SentinelStore
import SentinelVarlink

extension ManagerInterface {
    static let minimumPasswordLength = 8

    func addUser(_ request: ManagerRequest) async throws -> [String: JSONValue] {
        let name = request.string("name")
        if let problem = EntityName.problem(with: name, kind: .user) { throw InvalidValue(field: "name", reason: problem) }
        let hash = try request.optionalString("password").map { try hashPassword($0) }
        let now = Date()
        let user = try await store.addUser(
            User(
                name: name, displayName: request.optionalString("display_name") ?? "", passwordHash: hash,
                groups: request.strings("groups"), createdAt: now, updatedAt: now))
        recordChange(request, action: "user-add", object: "user", name: name, message: "user \(name) added")
        return ["user": try await encode(user)]
    }

    func updateUser(_ request: ManagerRequest) async throws -> [String: JSONValue] {
        let name = request.string("name")
        let removed = request.strings("remove_groups")
        var user = try await store.changeGroups(user: name, add: request.strings("add_groups"), remove: removed)
        if let displayName = request.optionalString("display_name") {
            try await store.setDisplayName(user: name, displayName)
            user.displayName = displayName
        }
        var revoked: [Grant] = []
        if !removed.isEmpty {
            // Sessions on endpoints the user reached only through a group they left.
            for grant in try await store.grants(matching: GrantFilter(user: name)) {
                let access = try await store.access(endpoint: grant.endpoint)
                if !access.admits(user: name, memberOf: user.groups) {
                    revoked += try await store.revokeGrants(matching: GrantFilter(id: grant.id))
                }
            }
            recordRevocations(revoked, request: request)
        }
        recordChange(
            request, action: "user-update", object: "user", name: name,
            message: "user \(name) updated" + (revoked.isEmpty ? "" : ", \(revoked.count) session(s) revoked"),
            fields: [.groups: user.groups.joined(separator: " ")])
        return ["user": try await encode(user)]
    }

    func listUsers() async throws -> [String: JSONValue] {
        var result: [JSONValue] = []
        for user in try await store.users() { result.append(try await encode(user)) }
        return ["users": .array(result)]
    }

    func removeUser(_ request: ManagerRequest) async throws -> [String: JSONValue] {
        let name = request.string("name")
        let revoked = try await store.revokeGrants(matching: GrantFilter(user: name))
        try await store.removeUser(named: name)
        recordRevocations(revoked, request: request)
        recordChange(
            request, action: "user-remove", object: "user", name: name,
            message: "user \(name) removed, \(revoked.count) session(s) revoked")
        return [:]
    }

    func setPassword(_ request: ManagerRequest) async throws -> [String: JSONValue] {
        let name = request.string("name")
        let hash = try hashPassword(request.string("password"))
        try await store.setPasswordHash(user: name, hash: hash)
        recordChange(request, action: "user-set-password", object: "user", name: name, message: "password of user \(name) changed")
        return [:]
    }

    private func hashPassword(_ password: String) throws -> String {
        guard password.count >= Self.minimumPasswordLength else {
            throw InvalidValue(field: "password", reason: "must be at least \(Self.minimumPasswordLength) characters")
        }
        guard password.count <= 1024 else { throw InvalidValue(field: "password", reason: "must be at most 1024 characters") }
        return try passwordHasher.hash(password)
    }

    func encode(_ user: User) async throws -> JSONValue {
        let sessions = try await store.grants(matching: GrantFilter(user: user.name)).count
        return [
            "name": .string(user.name),
            "display_name": .string(user.displayName),
            "has_password": .bool(user.passwordHash != nil),
            "groups": JSONValue(user.groups),
            "active_sessions": .int(Int64(sessions)),
            "created": .string(Timestamp.format(user.createdAt)),
            "updated": .string(Timestamp.format(user.updatedAt)),
        ]
    }
}
