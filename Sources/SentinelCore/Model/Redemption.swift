/// What redeeming a one-time token (a code or a refresh token) found.
public enum Redemption: Sendable {
    /// The token was valid and is now used; `code` is set for authorization codes.
    case redeemed(Grant, code: PendingCode?)
    /// Unknown, expired, or its grant is no longer active.
    case invalid
    /// It had been used before: the grant is revoked now (OAuth 2.1 §4.3.1, §4.1.3).
    case reused(Grant)
}
