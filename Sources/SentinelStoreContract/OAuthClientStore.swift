public import SentinelCore

/// OAuth clients of Sentinel's own authorization server.
public protocol OAuthClientStore: Sendable {
    /// Stores a new client, or, for an id already stored, replaces its name, redirect URIs, metadata, token
    /// endpoint auth method and `updatedAt` (a metadata-document client's refreshed copy); kind, secret hash and
    /// creation time stay.
    func saveClient(_ client: OAuthClient) async throws
    /// A client by id, or nil.
    func client(id: String) async throws -> OAuthClient?
    /// Deletes a client with its grants and their tokens; an unknown id is no error.
    func deleteClient(id: String) async throws
}
