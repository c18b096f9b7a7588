public import SentinelStoreContract

// The SQLite store is the reference backend of every part of the store's contract; the requirements'
// documentation in SentinelStoreContract is what its methods promise.
extension Store: ServerStore, EndpointStore, UserStore, AccessListStore, OAuthClientStore, GrantStore,
    UpstreamCredentialStore, MCPSessionStore, SignInStore, SecretKeyStore, StoreStatus {}
