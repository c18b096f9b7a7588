public import Foundation

/// A person who may sign in and authorize AI clients.
public struct User: Sendable, Equatable {
    public var name: String
    public var displayName: String
    /// Encoded password hash (`$scrypt$…`); nil when no password is set (cannot sign in).
    public var passwordHash: String?
    /// Sentinel groups the user belongs to (for endpoint access lists), sorted.
    public var groups: [String]
    public var createdAt: Date
    public var updatedAt: Date

    public init(name: String, displayName: String = "", passwordHash: String? = nil, groups: [String] = [], createdAt: Date, updatedAt: Date) {
        self.name = name
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.groups = groups.sorted()
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
