public import Foundation

/// What an access token grants, as the data plane checks it (and the caller a request was admitted as).
public struct AccessTokenGrant: Sendable, Equatable {
    public var grantID: String
    public var endpoint: String
    public var user: String
    public var clientID: String
    public var scope: String
    /// The earlier of the token's and the grant's expiry.
    public var expiresAt: Date

    public init(grantID: String, endpoint: String, user: String, clientID: String, scope: String, expiresAt: Date) {
        self.grantID = grantID
        self.endpoint = endpoint
        self.user = user
        self.clientID = clientID
        self.scope = scope
        self.expiresAt = expiresAt
    }
}
