public import SentinelCore

/// People who sign in to authorize clients, and their groups.
public protocol UserStore: Sendable {
    /// Adds a user; the name must be new and valid, and so must each group name.
    func addUser(_ user: User) async throws -> User
    /// Every user, ordered by name; each one's groups ordered by name.
    func users() async throws -> [User]
    /// One user by name (`notFound`).
    func user(named name: String) async throws -> User
    /// Replaces a user's password hash and, in the same transaction, ends their browser sign-ins.
    func setPasswordHash(user name: String, hash: String) async throws
    /// Replaces a user's display name.
    func setDisplayName(user name: String, _ displayName: String) async throws
    /// Removes a user with their groups, sign-ins, personal credentials, grants and those grants' tokens.
    func removeUser(named name: String) async throws
    /// Adds and removes groups (adding a group held, or removing one not held, is no error); returns the user after.
    func changeGroups(user name: String, add: [String], remove: [String]) async throws -> User
}
