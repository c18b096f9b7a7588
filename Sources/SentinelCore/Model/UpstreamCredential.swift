public import Foundation

/// A credential for one upstream server, owned by one user (personal mode) or shared (owner nil).
public struct UpstreamCredential: Sendable, Equatable {
    public enum State: String, Sendable {
        case connected
        /// A refresh failed or the upstream refused it: the owner must connect again.
        case expired
    }

    public var server: String
    /// The user it belongs to; nil for a shared server's one credential.
    public var owner: String?
    public var kind: CredentialKind
    public var state: State
    public var accessToken: String
    public var refreshToken: String?
    /// When the access token expires (OAuth), if the upstream said.
    public var expiresAt: Date?
    /// The upstream's token endpoint, for refreshing (OAuth).
    public var tokenEndpoint: String?
    public var updatedAt: Date
    /// When the owner connected it (signed in or pasted the token); a refresh keeps it, `updatedAt` moves.
    public var connectedAt: Date
    /// Whether the server accepted the token when it was saved: false when the server could not be reached then
    /// ("saved, not verified"). The token is used either way.
    public var verified: Bool

    /// `connectedAt` nil means `updatedAt`: a new connection.
    public init(
        server: String, owner: String?, kind: CredentialKind, state: State = .connected, accessToken: String,
        refreshToken: String? = nil, expiresAt: Date? = nil, tokenEndpoint: String? = nil, updatedAt: Date,
        connectedAt: Date? = nil, verified: Bool = true
    ) {
        self.server = server
        self.owner = owner
        self.kind = kind
        self.state = state
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.tokenEndpoint = tokenEndpoint
        self.updatedAt = updatedAt
        self.connectedAt = connectedAt ?? updatedAt
        self.verified = verified
    }
}
