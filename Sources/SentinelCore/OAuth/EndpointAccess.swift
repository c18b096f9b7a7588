/// Who may authorize clients on one endpoint: named users and members of named groups.
///
/// An empty list admits nobody: an admin opens an endpoint explicitly with
/// `sentinelctl endpoint allow`.
public struct EndpointAccess: Sendable, Equatable {
    public var users: [String]
    public var groups: [String]

    public init(users: [String] = [], groups: [String] = []) {
        self.users = users.sorted()
        self.groups = groups.sorted()
    }

    public var isEmpty: Bool { users.isEmpty && groups.isEmpty }

    /// Whether `user`, a member of `memberOf`, is on the list.
    public func admits(user: String, memberOf: [String]) -> Bool {
        users.contains(user) || memberOf.contains(where: groups.contains)
    }
}
