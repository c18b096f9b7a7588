public import Foundation

/// An OAuth client (an AI app) known to the authorization server.
public struct OAuthClient: Sendable, Equatable {
    /// How the client became known.
    public enum Kind: String, Sendable {
        /// Registered by RFC 7591 dynamic registration; the id is random.
        case dynamic
        /// A client-ID metadata document: the id is the document's https URL.
        case metadataDocument = "metadata-document"
        case preregistered
    }

    public var id: String
    public var name: String
    public var kind: Kind
    public var redirectURIs: [String]
    /// `none` (a public client using PKCE alone), `client_secret_post` or `client_secret_basic`.
    public var tokenEndpointAuthMethod: String
    /// SHA-256 (hex) of the client secret, for confidential clients.
    public var secretHash: String?
    /// SHA-256 (hex) of the RFC 7592 registration access token.
    public var registrationTokenHash: String?
    /// The registration or metadata document as received, for `registration_client_uri` reads.
    public var metadata: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, name: String, kind: Kind, redirectURIs: [String], tokenEndpointAuthMethod: String = "none",
        secretHash: String? = nil, registrationTokenHash: String? = nil, metadata: String = "{}", createdAt: Date,
        updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.redirectURIs = redirectURIs
        self.tokenEndpointAuthMethod = tokenEndpointAuthMethod
        self.secretHash = secretHash
        self.registrationTokenHash = registrationTokenHash
        self.metadata = metadata
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
