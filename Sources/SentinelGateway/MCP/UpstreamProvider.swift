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
    /// One request of any method (`tools/call`, `prompts/get`, `resources/read`, `completion/complete`…) to `server`
    /// on behalf of `user`, with the credential `client(for:user:)` picks. An upstream that refuses that credential
    /// (`UpstreamError.unauthorized`) gets it once more after `credentialRejected` refreshed it. Throws what
    /// `UpstreamClient.request` throws, and `UpstreamCredentialRequired` when the caller must connect an account.
    func request(
        server: Server, user: String?, method: String, params: RawJSON, headers: [(name: String, value: String)],
        timeout: Duration, progress: (@Sendable (RawJSON) -> Void)?
    ) async throws -> RawJSON
}

extension UpstreamProvider {
    /// The credential rule of every data-plane request: the caller's client, and one retry after a refused
    /// credential was refreshed. Providers need not write their own; `PooledUpstreams` (sentineld) uses this one.
    public func request(
        server: Server, user: String?, method: String, params: RawJSON, headers: [(name: String, value: String)],
        timeout: Duration, progress: (@Sendable (RawJSON) -> Void)?
    ) async throws -> RawJSON {
        do {
            let client = try await client(for: server, user: user)
            return try await client.request(method, params: params, headers: headers, timeout: timeout, progress: progress)
        } catch UpstreamError.unauthorized(let why) {
            // The upstream no longer takes the token (revoked or expired early): refresh it once and retry.
            guard try await credentialRejected(server: server, user: user) else { throw UpstreamError.unauthorized(why) }
            let client = try await client(for: server, user: user)
            return try await client.request(method, params: params, headers: headers, timeout: timeout, progress: progress)
        }
    }
}
