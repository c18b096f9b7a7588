public import Foundation
public import SentinelCore

/// Credentials Sentinel presents to upstream servers (shared, or one per user), sealed at rest, and the
/// upstream OAuth flows that obtain them.
///
/// An owner is a user name; nil is the server's shared credential. The two never stand in for each other.
public protocol UpstreamCredentialStore: Sendable {
    /// Stores or replaces the credential of `credential.owner` for `credential.server` (both must exist); it reads
    /// back with `connectedAt` as given.
    func saveCredential(_ credential: UpstreamCredential) async throws
    /// The credential of exactly `owner` (nil: the shared one) for `server`, opened; nil when none is stored.
    func credential(server: String, owner: String?) async throws -> UpstreamCredential?
    /// Marks a credential expired (its owner must connect again); no credential is no error.
    func markCredentialExpired(server: String, owner: String?) async throws
    /// Deletes a credential; returns whether there was one.
    @discardableResult
    func deleteCredential(server: String, owner: String?) async throws -> Bool
    /// State of each user's personal credential for `server`, by user name (the shared one is not listed).
    func credentialStates(server: String) async throws -> [String: UpstreamCredential.State]
    /// State of `user`'s credential for each server that has one, by server name.
    func credentialStates(user: String) async throws -> [String: UpstreamCredential.State]
    /// Deletes the shared credential of `server` (`shared`), or else every user's.
    func deleteCredentials(server: String, shared: Bool) async throws
    /// Remembers an upstream OAuth flow by the hash of its `state` (its verifier sealed), forgetting flows expired at `now`.
    func createUpstreamAuthorization(
        stateHash: String, _ pending: PendingUpstreamAuthorization, expiresAt: Date, now: Date
    ) async throws
    /// Takes an upstream OAuth flow once: it is deleted whether or not it had expired; nil when unknown or expired at `now`.
    func takeUpstreamAuthorization(stateHash: String, now: Date) async throws -> PendingUpstreamAuthorization?
    /// What Sentinel discovered and registered at a server's authorization server (JSON), opened; nil when none.
    func oauthRegistration(server: String) async throws -> String?
    /// Stores (nil: forgets) a server's discovered and registered OAuth client, sealed.
    func saveOAuthRegistration(server: String, _ json: String?) async throws
}
