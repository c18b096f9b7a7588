import HTTPTypes
import Logging
import SentinelStore
import Synchronization
import Foundation
import Hummingbird
import SentinelCore
import SentinelCrypto

extension AuthorizationServer {
    static let clientAuthMethods = ["none", "client_secret_post", "client_secret_basic"]

    /// RFC 7591 dynamic client registration.
    func registerClient(_ request: Request, address: String?) async -> Response {
        guard registrations.withLock({ $0.admit(address ?? "unknown", now: clock()) }) else {
            var response = Self.json(
                ["error": "temporarily_unavailable", "error_description": "too many registrations from this address; try again later"],
                status: .tooManyRequests)
            response.headers[.retryAfter] = "600"
            return response
        }
        guard let text = await Self.bodyText(request) else {
            return Self.oauthError(OAuthError(.invalidClientMetadata, "the registration request is larger than 64 KiB"))
        }
        guard let document = try? JSONValue.parse(text), let fields = document.objectValue else {
            return Self.oauthError(OAuthError(.invalidClientMetadata, "the registration request must be a JSON object"))
        }
        let now = clock()
        let client: OAuthClient
        let secret: String?
        let registrationToken: String
        do {
            (client, secret, registrationToken) = try Self.newClient(fields, now: now)
        } catch {
            return Self.oauthError(error)
        }
        do {
            try await store.saveClient(client)
        } catch {
            logger.error("cannot store a client registration: \(error)")
            return Self.oauthError(OAuthError(.serverError, "the registration could not be stored"))
        }
        record(.clientRegistered, "client \(client.name) registered as \(client.id)", [
            .client: client.name, .clientID: client.id, .redirectURIs: client.redirectURIs.joined(separator: " "),
        ])
        var body = registrationResponse(client)
        body["registration_access_token"] = .string(registrationToken)
        if let secret {
            body["client_secret"] = .string(secret)
            body["client_secret_expires_at"] = 0
        }
        return Self.json(.object(body), status: .created)
    }

    /// Validates registration metadata and makes the client, its secret (for confidential clients) and its
    /// registration access token.
    static func newClient(
        _ fields: [String: JSONValue], now: Date
    ) throws(OAuthError) -> (OAuthClient, secret: String?, registrationToken: String) {
        guard let redirects = fields["redirect_uris"]?.arrayValue, !redirects.isEmpty else {
            throw OAuthError(.invalidRedirectURI, "redirect_uris must be a non-empty array")
        }
        let uris = redirects.compactMap(\.stringValue)
        guard uris.count == redirects.count else { throw OAuthError(.invalidRedirectURI, "redirect_uris must hold strings") }
        if let problem = uris.lazy.compactMap(RedirectURIRules.problem(registering:)).first {
            throw OAuthError(.invalidRedirectURI, problem)
        }
        let method = fields["token_endpoint_auth_method"]?.stringValue ?? "client_secret_basic"
        guard clientAuthMethods.contains(method) else {
            throw OAuthError(.invalidClientMetadata, "token_endpoint_auth_method must be one of \(clientAuthMethods.joined(separator: ", "))")
        }
        let grantTypes = fields["grant_types"]?.arrayValue?.compactMap(\.stringValue) ?? ["authorization_code"]
        guard grantTypes.contains("authorization_code"),
              grantTypes.allSatisfy({ ["authorization_code", "refresh_token"].contains($0) })
        else {
            throw OAuthError(.invalidClientMetadata, "grant_types may hold authorization_code and refresh_token only")
        }
        if let responseTypes = fields["response_types"]?.arrayValue?.compactMap(\.stringValue), responseTypes != ["code"] {
            throw OAuthError(.invalidClientMetadata, "response_types must be [\"code\"]")
        }
        if let scope = fields["scope"]?.stringValue { _ = try AuthorizationRequest.grantedScope(requested: scope) }
        let name = fields["client_name"]?.stringValue.map { String($0.prefix(200)) }
            ?? URL(string: uris[0])?.host ?? "unnamed client"
        let id = "sc_" + SecureRandom.token(bytes: 16)
        let secret = method == "none" ? nil : "scs_" + SecureRandom.token(bytes: 32)
        let registrationToken = OpaqueToken.generate(prefix: "srg_")
        var stored = fields
        stored["client_secret"] = nil
        stored["registration_access_token"] = nil
        stored["redirect_uris"] = JSONValue(uris)
        stored["grant_types"] = JSONValue(grantTypes)
        stored["response_types"] = ["code"]
        stored["token_endpoint_auth_method"] = .string(method)
        stored["client_name"] = .string(name)
        let client = OAuthClient(
            id: id, name: name, kind: .dynamic, redirectURIs: uris, tokenEndpointAuthMethod: method,
            secretHash: secret.map(OpaqueToken.hash), registrationTokenHash: registrationToken.hash,
            metadata: JSONValue.object(stored).text(), createdAt: now, updatedAt: now)
        return (client, secret, registrationToken.token)
    }

    func registrationResponse(_ client: OAuthClient) -> [String: JSONValue] {
        var body = (try? JSONValue.parse(client.metadata))?.objectValue ?? [:]
        body["client_id"] = .string(client.id)
        body["client_id_issued_at"] = .int(Int64(client.createdAt.timeIntervalSince1970))
        body["registration_client_uri"] = .string(settings().issuer + "/oauth/register/" + client.id)
        return body
    }

    /// RFC 7592 read: the client's registration, with its registration access token as bearer.
    func readRegistration(_ request: Request, clientID: String) async -> Response {
        switch await registeredClient(request, clientID: clientID) {
        case .success(let client): return Self.json(.object(registrationResponse(client)))
        case .failure(let error): return Self.oauthError(error)
        }
    }

    /// RFC 7592 delete: the client and every grant it holds go.
    func deleteRegistration(_ request: Request, clientID: String) async -> Response {
        switch await registeredClient(request, clientID: clientID) {
        case .success(let client):
            let grants = (try? await store.grants(matching: GrantFilter())) ?? []
            do {
                try await store.deleteClient(id: client.id)
            } catch {
                return Self.oauthError(OAuthError(.serverError, "the client could not be deleted"))
            }
            revocations.revoke(grantIDs: grants.filter { $0.clientID == client.id }.map(\.id), by: .daemon)
            return Response(status: .noContent)
        case .failure(let error): return Self.oauthError(error)
        }
    }

    private func registeredClient(_ request: Request, clientID: String) async -> Result<OAuthClient, OAuthError> {
        let refused = OAuthError(.invalidToken, "a valid registration access token is required")
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer "),
              let client = try? await store.client(id: clientID), let expected = client.registrationTokenHash
        else { return .failure(refused) }
        let presented = OpaqueToken.hash(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        guard constantTimeEquals(Array(presented.utf8), Array(expected.utf8)) else { return .failure(refused) }
        return .success(client)
    }
}
