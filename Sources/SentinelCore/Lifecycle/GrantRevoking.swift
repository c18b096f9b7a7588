/// The one way a revocation takes effect: every place that ends grants (the control socket's
/// `RevokeSession`, user removal, `endpoint deny`, endpoint deletion, group changes, and the
/// authorization server's token revocation, refresh-token reuse and client deletion) calls it
/// with the grant ids, after the store has recorded the revocation.
///
/// The implementation (SentinelAuth's `GrantRevocations`) refuses the grants' cached bearer
/// tokens and closes their open event streams before it returns, then publishes
/// `ChangeEvent.grantsRevoked` for watchers.
public protocol GrantRevoking: Sendable {
    func revoke(grantIDs: [String], by origin: ChangeOrigin)
}
