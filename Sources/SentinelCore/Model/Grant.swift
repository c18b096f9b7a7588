public import Foundation

/// An authorized session: a user let one client use one endpoint until `expiresAt`.
public struct Grant: Sendable, Equatable {
    public var id: String
    public var user: String
    public var clientID: String
    public var clientName: String
    public var endpoint: String
    public var createdAt: Date
    public var expiresAt: Date
    public var lastUsedAt: Date?
    public var lastAddress: String?
    public var revokedAt: Date?
    /// Granted OAuth scopes, space-separated.
    public var scope: String

    public init(
        id: String, user: String, clientID: String, clientName: String, endpoint: String,
        createdAt: Date, expiresAt: Date, lastUsedAt: Date? = nil, lastAddress: String? = nil, revokedAt: Date? = nil,
        scope: String = "mcp"
    ) {
        self.id = id
        self.user = user
        self.clientID = clientID
        self.clientName = clientName
        self.endpoint = endpoint
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.lastAddress = lastAddress
        self.revokedAt = revokedAt
        self.scope = scope
    }

    /// Active means neither revoked nor past its expiry at `now`.
    public func isActive(at now: Date) -> Bool {
        revokedAt == nil && now < expiresAt
    }
}
