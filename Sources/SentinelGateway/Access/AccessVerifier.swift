public import Foundation
public import SentinelCore

/// Who calls an endpoint, once their bearer token has been checked.
public struct AccessGrant: Sendable, Equatable {
    public var grantID: String
    public var user: String
    public var clientID: String
    public var expiresAt: Date

    public init(grantID: String, user: String, clientID: String, expiresAt: Date) {
        self.grantID = grantID
        self.user = user
        self.clientID = clientID
        self.expiresAt = expiresAt
    }
}

/// The outcome of a bearer-token check.
public enum AccessCheck: Sendable, Equatable {
    case granted(AccessGrant)
    /// `invalid_token` (401, also for a missing token: then with no error code), or `insufficient_scope` (403).
    case refused(OAuthError?)
}

/// Checks the bearer token of a request to an OAuth endpoint (the resource-server side of OAuth).
public protocol AccessVerifier: Sendable {
    /// `bearer` is the token from `Authorization: Bearer …`, nil when the header is missing or not a bearer.
    func verify(bearer: String?, endpoint: String, address: String?) async -> AccessCheck
    /// Whether a grant is still active, read from the store (not a cache): an event stream checks this after it has
    /// registered for revocations, so a revocation in between is not missed.
    func isActive(grantID: String) async -> Bool
}
