import Foundation
import SentinelControlAPI
import SentinelCore
import SentinelCrypto
import SentinelStore
import SentinelVarlink

extension ManagerInterface {
    static let minimumPasswordLength = 8

    func addUser(_ parameters: ManagerAPI.AddUser.Parameters, _ request: ManagerRequest) async throws -> ManagerAPI.UserReply {
        let name = parameters.name
        if let problem = EntityName.problem(with: name, kind: .user) { throw ManagerError.invalidValue(field: "name", reason: problem) }
        let hash = try parameters.password.map { try hashPassword($0) }
        let now = Date()
        let user = try await store.addUser(
            User(
                name: name, displayName: parameters.displayName ?? "", passwordHash: hash, groups: parameters.groups ?? [],
                createdAt: now, updatedAt: now))
        recordChange(request, .userAdded(user: name), message: "user \(name) added")
        return ManagerAPI.UserReply(user: try await encode(user))
    }

    func updateUser(_ parameters: ManagerAPI.UpdateUser.Parameters, _ request: ManagerRequest) async throws -> ManagerAPI.UserReply {
        let name = parameters.name
        let removed = parameters.removeGroups ?? []
        var user = try await store.changeGroups(user: name, add: parameters.addGroups ?? [], remove: removed)
        if let displayName = parameters.displayName {
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
            request, .userUpdated(user: name),
            message: "user \(name) updated" + (revoked.isEmpty ? "" : ", \(revoked.count) session(s) revoked"),
            fields: [.groups: user.groups.joined(separator: " ")])
        return ManagerAPI.UserReply(user: try await encode(user))
    }

    func listUsers() async throws -> ManagerAPI.ListUsers.Reply {
        var result: [ManagerAPI.User] = []
        for user in try await store.users() { result.append(try await encode(user)) }
        return ManagerAPI.ListUsers.Reply(users: result)
    }

    func removeUser(_ name: String, _ request: ManagerRequest) async throws -> ManagerAPI.Empty {
        let revoked = try await store.revokeGrants(matching: GrantFilter(user: name))
        try await store.removeUser(named: name)
        recordRevocations(revoked, request: request)
        recordChange(
            request, .userRemoved(user: name),
            message: "user \(name) removed, \(revoked.count) session(s) revoked")
        return ManagerAPI.Empty()
    }

    func setPassword(_ parameters: ManagerAPI.SetPassword.Parameters, _ request: ManagerRequest) async throws -> ManagerAPI.Empty {
        let name = parameters.name
        let hash = try hashPassword(parameters.password)
        try await store.setPasswordHash(user: name, hash: hash)
        recordChange(request, .passwordChanged(user: name), message: "password of user \(name) changed")
        return ManagerAPI.Empty()
    }

    private func hashPassword(_ password: String) throws -> String {
        guard password.count >= Self.minimumPasswordLength else {
            throw ManagerError.invalidValue(field: "password", reason: "must be at least \(Self.minimumPasswordLength) characters")
        }
        guard password.count <= 1024 else { throw ManagerError.invalidValue(field: "password", reason: "must be at most 1024 characters") }
        return try passwordHasher.hash(password)
    }

    func encode(_ user: User) async throws -> ManagerAPI.User {
        let sessions = try await store.grants(matching: GrantFilter(user: user.name)).count
        return ManagerAPI.User(
            name: user.name, displayName: user.displayName, hasPassword: user.passwordHash != nil, groups: user.groups,
            activeSessions: sessions, created: Timestamp.format(user.createdAt), updated: Timestamp.format(user.updatedAt))
    }
}
