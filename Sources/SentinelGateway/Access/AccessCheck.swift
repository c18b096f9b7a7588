public import SentinelCore

/// The outcome of a bearer-token check.
public enum AccessCheck: Sendable, Equatable {
    /// The caller's grant: who, which client, until when.
    case granted(AccessTokenGrant)
    /// `invalid_token` (401, also for a missing token: then with no error code), or `insufficient_scope` (403).
    case refused(OAuthError?)
}
