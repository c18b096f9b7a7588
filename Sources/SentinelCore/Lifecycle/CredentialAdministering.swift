/// What the control plane needs from the daemon's credential handling: shared credentials, upstream sign-in
/// links, and key rotation. Lives in the core so the control plane does not depend on the authorization plane.
public protocol CredentialAdministering: Sendable {
    /// Stores the shared bearer token of a shared-mode server.
    func setSharedToken(server: Server, token: String) async throws
    /// Starts the upstream OAuth sign-in of a shared-mode server; returns the URL the admin opens.
    func beginSharedLogin(server: Server) async throws -> String
    /// Deletes credentials that a server's new mode no longer uses (`shared`: the shared one; else every user's).
    func discard(server: String, shared: Bool) async throws
    /// How many users have a connected credential for `server`, and the shared credential's state.
    func summary(server: String) async throws -> (connectedUsers: Int, expiredUsers: Int, shared: String?)
    /// Re-encrypts every stored secret with a new key; returns how many were re-encrypted.
    func rotateSecretKey() async throws -> Int
}
