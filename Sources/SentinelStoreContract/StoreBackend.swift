/// Everything Sentinel keeps between starts: the store's whole contract.
///
/// The contract is split by concern so a caller asks only for what it uses (the gateway's catalog needs
/// `EndpointStore`, not `SecretKeyStore`). `SentinelStore.Store` (SQLite through GRDB) is the one backend
/// today; a second one (PostgreSQL, for several hosts sharing state) conforms to the same protocols and must
/// pass `StoreContractSuite` (target `SentinelStoreContractTesting`) unchanged.
///
/// Rules every requirement follows unless its own documentation says otherwise:
/// - **Names.** Servers, endpoints and users are found by name; a name that does not exist throws
///   `StoreError.notFound(kind:name:)` with `kind` one of `server`, `endpoint`, `user`, `session` (a grant).
///   Adding a name that exists throws `StoreError.alreadyExists(kind:name:)`; invalid input throws
///   `StoreError.invalid(field:reason:)` before anything is written.
/// - **Atomicity.** Each call is one transaction: when it throws, nothing it would have written is visible,
///   and no other caller sees a half-made change. Concurrent callers are serialized as if one ran first.
/// - **Time.** Where a requirement takes `now`, "expired" means `expiresAt <= now` and "active" means
///   `now < expiresAt` and not revoked; the backend never reads the clock for those decisions. Timestamps
///   round-trip to at least millisecond precision.
/// - **Ordering.** Lists are in the order each requirement states; a backend must not rely on insertion order.
/// - **Secrets.** Sealed values (server headers, OAuth client secrets, upstream credentials, the MCP session key)
///   are sealed with the backend's `SecretBox`; without one, storing or reading them throws
///   `StoreError.invalid`.
public typealias StoreBackend = ServerStore & EndpointStore & UserStore & AccessListStore & OAuthClientStore
    & GrantStore & UpstreamCredentialStore & MCPSessionStore & SignInStore & SecretKeyStore & StoreStatus
