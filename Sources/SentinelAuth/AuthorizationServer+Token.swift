import HTTPTypes
import Logging
import SentinelStore
import Synchronization
import Foundation
import Hummingbird
import SentinelCore
import SentinelCrypto
import SentinelStore

extension AuthorizationServer {
    /// POST /oauth/token: `authorization_code` (with PKCE) and `refresh_token` (rotating) grants.
    func token(_ request: Request) async -> Response {
        guard let body = await Self.bodyText(request) else {
            return Self.oauthError(OAuthError(.invalidRequest, "the token request is larger than 64 KiB"))
        }
        if let repeated = FormFields.repeated(body).first {
            return Self.oauthError(OAuthError(.invalidRequest, "the parameter \(repeated) is repeated"))
        }
        let fields = FormFields.parse(body)
        let client: OAuthClient
        switch await authenticateClient(request, fields: fields) {
        case .success(let authenticated): client = authenticated
        case .failure(let error): return Self.oauthError(error)
        }
        do {
            switch fields["grant_type"] {
            case "authorization_code": return try await redeemCode(fields, client: client)
            case "refresh_token": return try await refresh(fields, client: client)
            case nil: throw OAuthError(.invalidRequest, "grant_type is missing")
            case let other?: throw OAuthError(.unsupportedGrantType, "grant_type \(other) is not supported")
            }
        } catch let error as OAuthError {
            return Self.oauthError(error)
        } catch {
            logger.error("token request failed: \(error)")
            return Self.oauthError(OAuthError(.serverError, "the token could not be issued"))
        }
    }

    /// The client of a token or revocation request: HTTP Basic, `client_secret_post`, or a public client by id.
    func authenticateClient(_ request: Request, fields: [String: String]) async -> Result<OAuthClient, OAuthError> {
        var clientID = fields["client_id"]
        var secret = fields["client_secret"]
        var usedBasic = false
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("basic ") {
            guard let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
                  let pair = String(data: decoded, encoding: .utf8), let colon = pair.firstIndex(of: ":")
            else { return .failure(OAuthError(.invalidClient, "malformed HTTP Basic credentials")) }
            let basicID = String(pair[..<colon]).removingPercentEncoding ?? ""
            if let clientID, clientID != basicID { return .failure(OAuthError(.invalidRequest, "client_id differs from the Basic credentials")) }
            clientID = basicID
            secret = String(pair[pair.index(after: colon)...]).removingPercentEncoding
            usedBasic = true
        }
        guard let clientID, !clientID.isEmpty else { return .failure(OAuthError(.invalidClient, "client_id is missing")) }
        guard let client = try? await store.client(id: clientID) else {
            return .failure(OAuthError(.invalidClient, "no client is registered with id \(clientID)"))
        }
        guard let expected = client.secretHash else {
            return secret == nil || secret == "" ? .success(client) : .failure(OAuthError(.invalidClient, "this client has no secret"))
        }
        guard let secret, constantTimeEquals(Array(OpaqueToken.hash(secret).utf8), Array(expected.utf8)) else {
            return .failure(OAuthError(.invalidClient, "client authentication failed"))
        }
        let method = usedBasic ? "client_secret_basic" : "client_secret_post"
        if client.tokenEndpointAuthMethod != method && client.tokenEndpointAuthMethod != "none" {
            logger.debug("client \(client.id) authenticated with \(method), registered \(client.tokenEndpointAuthMethod)")
        }
        return .success(client)
    }

    func redeemCode(_ fields: [String: String], client: OAuthClient) async throws -> Response {
        guard let code = fields["code"], !code.isEmpty else { throw OAuthError(.invalidRequest, "code is missing") }
        guard let verifier = fields["code_verifier"], !verifier.isEmpty else {
            throw OAuthError(.invalidRequest, "code_verifier is missing (PKCE is required)")
        }
        let now = clock()
        let redirectURI = fields["redirect_uri"]
        let redemption = try await store.redeem(hash: OpaqueToken.hash(code), kind: "code", clientID: client.id, now: now) { pending in
            guard redirectURI == pending.redirectURI else {
                throw OAuthError(.invalidGrant, "redirect_uri does not match the authorization request")
            }
            guard PKCE.verify(verifier: verifier, challenge: pending.codeChallenge) else {
                throw OAuthError(.invalidGrant, "PKCE verification failed: code_verifier does not match code_challenge")
            }
        }
        switch redemption {
        case .invalid:
            throw OAuthError(.invalidGrant, "the authorization code is invalid, expired, or was issued to another client")
        case .reused(let grant):
            recordRevoked(grant, reason: "authorization code used twice")
            throw OAuthError(.invalidGrant, "the authorization code was already used; the session it created is revoked")
        case .redeemed(let grant, _):
            try checkResource(fields, grant: grant)
            return try await issue(grant, scope: grant.scope, now: now)
        }
    }

    func refresh(_ fields: [String: String], client: OAuthClient) async throws -> Response {
        guard let token = fields["refresh_token"], !token.isEmpty else { throw OAuthError(.invalidRequest, "refresh_token is missing") }
        let now = clock()
        switch try await store.redeem(hash: OpaqueToken.hash(token), kind: "refresh", clientID: client.id, now: now) {
        case .invalid:
            throw OAuthError(.invalidGrant, "the refresh token is invalid, expired or revoked")
        case .reused(let grant):
            recordRevoked(grant, reason: "refresh token reused")
            throw OAuthError(.invalidGrant, "the refresh token was already used; the session is revoked")
        case .redeemed(let grant, _):
            try checkResource(fields, grant: grant)
            var scope = grant.scope
            if let asked = fields["scope"], !asked.isEmpty {
                let granted = Set(grant.scope.split(separator: " "))
                guard asked.split(separator: " ").allSatisfy(granted.contains) else {
                    throw OAuthError(.invalidScope, "a refresh cannot widen the granted scope (\(grant.scope))")
                }
                scope = asked
            }
            return try await issue(grant, scope: scope, now: now)
        }
    }

    /// RFC 8707: a `resource` sent with a token request must be the grant's endpoint.
    func checkResource(_ fields: [String: String], grant: Grant) throws(OAuthError) {
        guard let resource = fields["resource"], !resource.isEmpty else { return }
        guard settings().endpoint(forResource: resource) == grant.endpoint else {
            throw OAuthError(.invalidTarget, "resource \(resource) is not the endpoint this grant is for")
        }
    }

    func issue(_ grant: Grant, scope: String, now: Date) async throws -> Response {
        let access = OpaqueToken.generate(prefix: "sat_")
        let refresh = OpaqueToken.generate(prefix: "srt_")
        let lifetime = min(TimeInterval(settings().accessTokenLifetime), grant.expiresAt.timeIntervalSince(now))
        try await store.issueTokens(
            TokenHashes(access: access.hash, accessExpiresAt: now.addingTimeInterval(lifetime), refresh: refresh.hash),
            grant: grant, now: now)
        return Self.json([
            "access_token": .string(access.token),
            "token_type": "Bearer",
            "expires_in": .int(Int64(max(1, lifetime.rounded(.down)))),
            "refresh_token": .string(refresh.token),
            "scope": .string(scope),
        ])
    }

    /// POST /oauth/revoke (RFC 7009): always 200 for a known client, whatever the token was.
    func revoke(_ request: Request) async -> Response {
        guard let body = await Self.bodyText(request) else {
            return Self.oauthError(OAuthError(.invalidRequest, "the revocation request is larger than 64 KiB"))
        }
        let fields = FormFields.parse(body)
        let client: OAuthClient
        switch await authenticateClient(request, fields: fields) {
        case .success(let authenticated): client = authenticated
        case .failure(let error): return Self.oauthError(error)
        }
        guard let token = fields["token"], !token.isEmpty else {
            return Self.oauthError(OAuthError(.invalidRequest, "token is missing"))
        }
        let hash = OpaqueToken.hash(token)
        do {
            if let grant = try await store.revokeToken(hash: hash, clientID: client.id, now: clock()) {
                recordRevoked(grant, reason: "refresh token revoked by the client")
            } else {
                revocations.verifier.invalidate(tokenHash: hash)
            }
        } catch {
            logger.error("token revocation failed: \(error)")
            return Self.oauthError(OAuthError(.serverError, "the token could not be revoked"))
        }
        return Response(status: .ok, headers: [.cacheControl: "no-store"])
    }
}
