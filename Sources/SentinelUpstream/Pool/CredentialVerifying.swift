public import SentinelCore

/// Checks a credential a user is about to save against its server (a pasted token proves nothing until the server
/// accepts it). The daemon's implementation is `PooledUpstreams`, through the same clients the calls use.
public protocol CredentialVerifying: Sendable {
    /// Sends `tools/list` to `server` with `token` (as `Authorization: Bearer` for http, in the credential environment
    /// variable for stdio), bounded by `timeout`. Many servers answer `initialize` and `server/discover` without a
    /// token, so only a request that needs one tells.
    func verify(_ server: Server, token: String, timeout: Duration) async -> CredentialCheck
}
