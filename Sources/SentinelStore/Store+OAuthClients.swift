import Foundation
public import SentinelCore
import GRDB

extension Store {
    /// Stores a new client, or replaces a metadata-document client's cached copy (same id).
    public func saveClient(_ client: OAuthClient) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO oauth_clients (id, name, kind, redirect_uris, metadata, secret_hash, created_at,
                        token_endpoint_auth_method, registration_token_hash, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET name = excluded.name, redirect_uris = excluded.redirect_uris,
                        metadata = excluded.metadata, token_endpoint_auth_method = excluded.token_endpoint_auth_method,
                        updated_at = excluded.updated_at
                    """,
                arguments: [
                    client.id, client.name, client.kind.rawValue, JSONText.encode(client.redirectURIs), client.metadata,
                    client.secretHash, client.createdAt, client.tokenEndpointAuthMethod, client.registrationTokenHash,
                    client.updatedAt,
                ])
        }
    }

    /// A client by id, or nil.
    public func client(id: String) async throws -> OAuthClient? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM oauth_clients WHERE id = ?", arguments: [id]).map(Self.client(from:))
        }
    }

    /// Deletes a client and, with it, its grants and their tokens.
    public func deleteClient(id: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM oauth_clients WHERE id = ?", arguments: [id])
        }
    }

    static func client(from row: Row) -> OAuthClient {
        OAuthClient(
            id: row["id"], name: row["name"], kind: OAuthClient.Kind(rawValue: row["kind"]) ?? .dynamic,
            redirectURIs: JSONText.decodeArray(row["redirect_uris"]),
            tokenEndpointAuthMethod: row["token_endpoint_auth_method"], secretHash: row["secret_hash"],
            registrationTokenHash: row["registration_token_hash"], metadata: row["metadata"],
            createdAt: row["created_at"], updatedAt: row["updated_at"] ?? row["created_at"])
    }
}
