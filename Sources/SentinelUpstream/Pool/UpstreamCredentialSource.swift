public import SentinelCore

/// Where `PooledUpstreams` gets the credentials it hands to upstream servers.
///
/// The daemon's implementation is SentinelAuth's `UpstreamCredentials` (sealed in the store, OAuth tokens kept fresh);
/// tests use a small in-memory one. An owner is a user's name, or nil for a server's one shared credential.
public protocol UpstreamCredentialSource: Sendable {
    /// The token to send to `server` for `owner`, refreshed first when it is about to expire.
    /// Throws `UpstreamCredentialRequired` when there is none or it expired.
    func token(for server: Server, owner: String?) async throws -> String

    /// Whether any credential (connected or expired) is stored for `owner` on `server`.
    func hasCredential(server: String, owner: String?) async throws -> Bool

    /// The users whose personal credential for `server` is connected.
    func connectedOwners(server: String) async throws -> [String]

    /// The error telling the caller that `owner` (nil: the shared account, or no signed-in user) has no credential.
    func missing(_ server: Server, owner: String?) -> UpstreamCredentialRequired

    /// The upstream refused the token whose SHA-256 is `fingerprint`: refresh it if possible. Returns whether a
    /// retry may succeed; throws `UpstreamCredentialRequired` when the owner must connect again.
    func rejected(server: Server, owner: String?, fingerprint: String?) async throws -> Bool
}
