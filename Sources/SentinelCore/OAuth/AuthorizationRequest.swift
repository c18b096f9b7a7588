/// A validated request to the authorization endpoint (OAuth 2.1 §4.1.1 with PKCE and RFC 8707).
public struct AuthorizationRequest: Sendable, Equatable {
    public var clientID: String
    public var redirectURI: String
    public var codeChallenge: String
    public var state: String?
    /// The endpoint URL the token will be bound to.
    public var resource: String
    /// The endpoint `resource` names.
    public var endpoint: String
    /// Granted scopes, space-separated.
    public var scope: String

    /// The form and query fields that carry the request from page to page.
    public static let fieldNames = [
        "response_type", "client_id", "redirect_uri", "code_challenge", "code_challenge_method", "state", "resource", "scope",
    ]

    /// Scopes an endpoint token can carry: `mcp` (use the endpoint) and `offline_access` (refresh tokens).
    public static let supportedScopes = ["mcp", "offline_access"]
    /// The scope every MCP request needs.
    public static let requiredScope = "mcp"

    /// Why a request is refused: `unsafe` problems are shown to the user (the redirect URI cannot be
    /// trusted), `redirect` problems go back to the client on its redirect URI.
    public enum Problem: Error, Sendable, Equatable {
        case unsafe(String)
        case redirect(OAuthError, redirectURI: String, state: String?)
    }

    /// Validates `fields` for a client whose registered redirect URIs are `registeredRedirectURIs`.
    /// `endpointForResource` maps an endpoint URL to the name of an endpoint that uses OAuth.
    public static func validate(
        _ fields: [String: String], registeredRedirectURIs: [String], endpointForResource: (String) -> String?
    ) throws(Problem) -> AuthorizationRequest {
        guard let clientID = fields["client_id"], !clientID.isEmpty else { throw .unsafe("The request names no client (client_id is missing).") }
        guard let redirectURI = fields["redirect_uri"], !redirectURI.isEmpty else {
            throw .unsafe("The request has no redirect_uri.")
        }
        guard RedirectURIRules.matches(redirectURI, registered: registeredRedirectURIs) else {
            throw .unsafe("The redirect URI \(redirectURI) is not registered for this client.")
        }
        let state = fields["state"]
        func refuse(_ code: OAuthError.Code, _ message: String) -> Problem {
            .redirect(OAuthError(code, message), redirectURI: redirectURI, state: state)
        }
        guard fields["response_type"] == "code" else {
            throw refuse(.unsupportedResponseType, "response_type must be code")
        }
        guard let challenge = fields["code_challenge"], !challenge.isEmpty else {
            throw refuse(.invalidRequest, "PKCE is required: send code_challenge with code_challenge_method=S256")
        }
        guard fields["code_challenge_method"] == "S256" else {
            throw refuse(.invalidRequest, "code_challenge_method must be S256")
        }
        guard (43...128).contains(challenge.utf8.count), challenge.utf8.allSatisfy(isBase64URL) else {
            throw refuse(.invalidRequest, "code_challenge must be a base64url SHA-256 digest")
        }
        guard let resource = fields["resource"], !resource.isEmpty else {
            throw refuse(.invalidTarget, "resource is required and must name an endpoint URL")
        }
        guard let endpoint = endpointForResource(resource) else {
            throw refuse(.invalidTarget, "resource \(resource) is not an endpoint of this server")
        }
        let scope: String
        do {
            scope = try grantedScope(requested: fields["scope"])
        } catch {
            throw refuse(error.code, error.message)
        }
        return AuthorizationRequest(
            clientID: clientID, redirectURI: redirectURI, codeChallenge: challenge, state: state, resource: resource,
            endpoint: endpoint, scope: scope)
    }

    /// The scopes to grant for a requested scope string: all requested ones when every one is supported;
    /// `mcp` when none is requested.
    public static func grantedScope(requested: String?) throws(OAuthError) -> String {
        let asked = (requested ?? "").split(separator: " ").map(String.init)
        if asked.isEmpty { return requiredScope }
        if let unknown = asked.first(where: { !supportedScopes.contains($0) }) {
            throw OAuthError(.invalidScope, "unknown scope '\(unknown)'; supported: \(supportedScopes.joined(separator: " "))")
        }
        var unique: [String] = []
        for scope in asked where !unique.contains(scope) { unique.append(scope) }
        return unique.joined(separator: " ")
    }

    static func isBase64URL(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x2D || byte == 0x5F
    }
}
