/// Checks the bearer token of a request to an OAuth endpoint (the resource-server side of OAuth).
public protocol AccessVerifier: Sendable {
    /// `bearer` is the token from `Authorization: Bearer …`, nil when the header is missing or not a bearer.
    /// `address` (the client's IP) is read only when the grant's "last used" record is due.
    func verify(bearer: String?, endpoint: String, address: @Sendable () -> String?) async -> AccessCheck
    /// Whether a grant is still active, read from the store (not a cache): an event stream checks this after it has
    /// registered for revocations, so a revocation in between is not missed.
    func isActive(grantID: String) async -> Bool
}
