public import SentinelCore
public import SentinelUpstream

/// Gives the gateway a started upstream client for a server.
public protocol UpstreamProvider: Sendable {
    /// A client carrying the right credential: `user`'s own for a personal server (the caller of a tool), the shared
    /// one otherwise. Throws `UpstreamCredentialRequired` when that credential is missing or expired.
    func client(for server: Server, user: String?) async throws -> any UpstreamClient
    /// A client for listing the server's tools: for a personal server, with any user's connected credential (the
    /// catalog is the same for everyone); never used for tool calls.
    func catalogClient(for server: Server) async throws -> any UpstreamClient
    /// The upstream refused the credential `client(for:user:)` used: refresh it if possible. Returns whether a retry
    /// may succeed; throws `UpstreamCredentialRequired` when the owner must connect again.
    func credentialRejected(server: Server, user: String?) async throws -> Bool
    /// Drops the server's connections; the next call connects with its current settings.
    func invalidate(server: String) async
}
