public import SentinelCore
import SentinelCrypto
import Synchronization

/// The gateway's view of the upstream pool: each call gets a client carrying the right credential.
///
/// Servers without credentials share one client. A shared server's client carries its one credential; a personal
/// server gets one client per user, carrying that user's own credential — never anyone else's, and never the shared
/// one as a fallback. A credential is injected as `Authorization: Bearer` (http) or in the server's credential
/// environment variable (stdio). When a credential changes (refresh, re-authentication), the owner's old client is
/// shut down and a new one starts with the new token.
public final class PooledUpstreams: Sendable {
    /// The pool key owner of a shared server's credentialed client (a user name never has parentheses).
    static let sharedOwner = "(shared)"

    let pool: UpstreamPool
    let credentials: any UpstreamCredentialSource
    /// The token fingerprint each owner's pooled client was started with.
    let started = Mutex<[UpstreamKey: String]>([:])

    public init(pool: UpstreamPool, credentials: any UpstreamCredentialSource) {
        self.pool = pool
        self.credentials = credentials
    }

    /// A client carrying the right credential: `user`'s own for a personal server (the caller of a tool), the shared
    /// one otherwise. Throws `UpstreamCredentialRequired` when that credential is missing or expired.
    public func client(for server: Server, user: String?) async throws -> any UpstreamClient {
        switch server.credentialMode {
        case .none:
            return try await pool.client(for: server)
        case .shared:
            // An admin may give a shared http server static headers instead of a stored credential.
            if try await !credentials.hasCredential(server: server.name, owner: nil), !server.headers.isEmpty {
                return try await pool.client(for: server)
            }
            return try await client(for: server, owner: nil)
        case .personal:
            // Each user's own credential, or none: never another user's, never a shared one.
            guard let user else { throw credentials.missing(server, owner: nil) }
            return try await client(for: server, owner: user)
        }
    }

    /// A client for listing the server's tools; never used for tool calls. For a personal server: with the catalog
    /// credential the admin connected (`sentinelctl server login`, stored as the server's own, owner nil), else any
    /// user's connected credential (the catalog is the same for everyone).
    public func catalogClient(for server: Server) async throws -> any UpstreamClient {
        switch server.credentialMode {
        case .none, .shared:
            return try await client(for: server, user: nil)
        case .personal:
            // The server's own credential exists here only to list the catalog: `client(for:user:)` never uses it.
            if try await credentials.hasCredential(server: server.name, owner: nil) {
                do {
                    return try await client(for: server, owner: nil)
                } catch is UpstreamCredentialRequired {
                    // Expired: a user's credential may still list the tools.
                }
            }
            // Any user's connected credential can list the tools; the result is not shown to anyone as theirs.
            guard let someone = try await credentials.connectedOwners(server: server.name).sorted().first else {
                throw UpstreamCredentialRequired(
                    "server \(server.name) waits for a credential: its tools are listed once the admin connects a catalog "
                        + "credential (sentinelctl server login \(server.name)) or a user connects their own")
            }
            return try await client(for: server, owner: someone)
        }
    }

    private func client(for server: Server, owner: String?) async throws -> any UpstreamClient {
        let token = try await credentials.token(for: server, owner: owner)
        var configured = server
        switch server.transport {
        case .http: configured.headers["Authorization"] = "Bearer \(token)"
        case .stdio: configured.environment[server.effectiveCredentialEnv] = token
        }
        let key = Self.key(server.name, owner: owner)
        let fingerprint = Digest.sha256Hex(token)
        let previous = started.withLock { started -> String? in
            defer { started[key] = fingerprint }
            return started[key]
        }
        if let previous, previous != fingerprint {
            await pool.invalidate(server: server.name, owner: key.owner)
        }
        return try await pool.client(for: configured, owner: key.owner)
    }

    /// The upstream refused the credential `client(for:user:)` used: refresh it if possible. Returns whether a retry
    /// may succeed; throws `UpstreamCredentialRequired` when the owner must connect again.
    public func credentialRejected(server: Server, user: String?) async throws -> Bool {
        switch server.credentialMode {
        case .none: return false
        case .shared:
            return try await credentials.rejected(server: server, owner: nil, fingerprint: fingerprint(server, owner: nil))
        case .personal:
            guard let user else { return false }
            return try await credentials.rejected(server: server, owner: user, fingerprint: fingerprint(server, owner: user))
        }
    }

    /// The fingerprint of the token the owner's pooled client was started with.
    private func fingerprint(_ server: Server, owner: String?) -> String? {
        started.withLock { $0[Self.key(server.name, owner: owner)] }
    }

    /// Drops the server's connections; the next call connects with its current settings.
    public func invalidate(server: String) async {
        await pool.invalidate(server: server)
        started.withLock { $0 = $0.filter { $0.key.server != server } }
    }

    /// The pool entry of `owner`'s credentialed client (nil owner: the shared credential's).
    static func key(_ server: String, owner: String?) -> UpstreamKey {
        UpstreamKey(server: server, owner: owner ?? sharedOwner)
    }
}
