public import Foundation
public import Hummingbird
public import Logging
import NIOCore
public import SentinelCore
public import SentinelGateway
public import SentinelStore
public import SentinelUpstream
import SentinelCrypto
import Synchronization
import HTTPTypes

/// Sentinel's OAuth 2.1 authorization server: metadata (RFC 8414, RFC 9728), dynamic client registration
/// (RFC 7591/7592), client-ID metadata documents, the authorization endpoint with sign-in and consent
/// pages, the token endpoint (codes with PKCE, rotating refresh tokens) and revocation (RFC 7009).
public final class AuthorizationServer: Sendable {
    let store: Store
    let catalog: EndpointCatalog
    let audit: any AuditSink
    let revocations: GrantRevocations
    let credentials: UpstreamCredentials
    let catalogs: any CatalogRefreshing
    /// Checks pasted tokens with their servers before they are saved (nil: saved unchecked).
    let verifier: (any CredentialVerifying)?
    let settings: @Sendable () -> AuthSettings
    let logger: Logger
    /// Failed sign-ins slow down the account after 5 and the client address after 20 (several people may
    /// share an address, e.g. behind a reverse proxy).
    let accountThrottle = Mutex(SignInThrottle(freeAttempts: 5))
    let addressThrottle = Mutex(SignInThrottle(freeAttempts: 20))
    /// Dynamic registrations per client address: 300 an hour. A client registers once and reuses its id; the limit
    /// is generous because everyone behind a reverse proxy shares its address.
    let registrations = Mutex(RequestRateLimit(limit: 300, window: 3600))
    /// Client-metadata documents fetched per client address (each costs an outbound request): 60 an hour.
    let metadataFetches = Mutex(RequestRateLimit(limit: 60, window: 3600))
    let clock: @Sendable () -> Date

    public init(
        store: Store, catalog: EndpointCatalog, audit: any AuditSink, revocations: GrantRevocations,
        credentials: UpstreamCredentials, catalogs: any CatalogRefreshing, verifier: (any CredentialVerifying)? = nil,
        logger: Logger, clock: @escaping @Sendable () -> Date = { Date() }, settings: @escaping @Sendable () -> AuthSettings
    ) {
        self.verifier = verifier
        self.credentials = credentials
        self.catalogs = catalogs
        self.store = store
        self.catalog = catalog
        self.audit = audit
        self.revocations = revocations
        self.logger = logger
        self.clock = clock
        self.settings = settings
    }

    /// Adds the OAuth routes to `router`.
    public func register(on router: Router<GatewayRequestContext>) {
        router.get("/.well-known/oauth-protected-resource/mcp/:endpoint") { _, context in
            await self.protectedResourceMetadata(endpoint: context.parameters.get("endpoint") ?? "")
        }
        // RFC 8414 only. No OpenID Connect discovery (/.well-known/openid-configuration): Sentinel issues no
        // ID tokens, and clients that find OIDC discovery (ChatGPT) then require one and fail.
        router.get("/.well-known/oauth-authorization-server") { _, _ in self.authorizationServerMetadata() }
        router.post("/oauth/register") { request, context in
            await self.registerClient(request, address: context.clientAddress)
        }
        router.get("/oauth/register/:client") { request, context in
            await self.readRegistration(request, clientID: context.parameters.get("client") ?? "")
        }
        router.delete("/oauth/register/:client") { request, context in
            await self.deleteRegistration(request, clientID: context.parameters.get("client") ?? "")
        }
        router.get("/oauth/authorize") { request, context in await self.authorize(request, context: context) }
        router.post("/oauth/authorize") { request, context in await self.authorizeForm(request, context: context) }
        router.post("/oauth/token") { request, _ in await self.token(request) }
        router.post("/oauth/revoke") { request, _ in await self.revoke(request) }
        router.get("/oauth/upstream/callback") { request, context in await self.upstreamCallback(request, context: context) }
        router.get("/oauth/upstream/done") { _, _ in
            Self.html(
                ConsentPages.done(
                    title: "Connected",
                    message: "The server is connected with its own account. You can close this window and return to the command line."))
        }
        router.get("/oauth/credentials") { request, _ in await self.credentialsPage(request) }
        router.post("/oauth/credentials") { request, context in await self.credentialsForm(request, context: context) }
        router.get("/oauth/account") { request, _ in await self.accountPage(request) }
        router.post("/oauth/account") { request, context in await self.accountForm(request, context: context) }
        router.post("/oauth/sign-out") { request, context in await self.signOut(request, context: context) }
    }

    // MARK: - Metadata

    func protectedResourceMetadata(endpoint name: String) async -> Response {
        let settings = settings()
        guard let snapshot = try? await catalog.snapshot(name), snapshot.endpoint.auth == .oauth else {
            return Self.json(["error": "not_found", "error_description": .string("no endpoint named '\(name)' uses OAuth")], status: .notFound)
        }
        return Self.json([
            "resource": .string(settings.resource(endpoint: name)),
            "authorization_servers": [.string(settings.issuer)],
            "scopes_supported": [.string(AuthorizationRequest.requiredScope)],
            "bearer_methods_supported": ["header"],
            "resource_name": .string("Sentinel endpoint \(name)"),
        ])
    }

    func authorizationServerMetadata() -> Response {
        let issuer = settings().issuer
        return Self.json([
            "issuer": .string(issuer),
            "authorization_endpoint": .string(issuer + "/oauth/authorize"),
            "token_endpoint": .string(issuer + "/oauth/token"),
            "registration_endpoint": .string(issuer + "/oauth/register"),
            "revocation_endpoint": .string(issuer + "/oauth/revoke"),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none", "client_secret_post", "client_secret_basic"],
            "revocation_endpoint_auth_methods_supported": ["none", "client_secret_post", "client_secret_basic"],
            "scopes_supported": JSONValue(AuthorizationRequest.supportedScopes),
            "client_id_metadata_document_supported": true,
            "authorization_response_iss_parameter_supported": true,
        ])
    }

    // MARK: - Shared helpers

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json", .cacheControl: "no-store", .init("Pragma")!: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(bytes: value.serialized())))
    }

    /// An OAuth error body (`error`, `error_description`) with its status; 401s carry a challenge.
    static func oauthError(_ error: OAuthError) -> Response {
        var response = json(
            ["error": .string(error.code.rawValue), "error_description": .string(error.message)],
            status: HTTPResponse.Status(code: error.httpStatus))
        if error.code == .invalidClient {
            response.headers[.wwwAuthenticate] = "Basic realm=\"sentinel\""
        }
        return response
    }

    static func html(_ page: String, status: HTTPResponse.Status = .ok, cookies: [String] = []) -> Response {
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8",
            .cacheControl: "no-store",
            .init("Content-Security-Policy")!: "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
            .init("X-Frame-Options")!: "DENY",
            .init("Referrer-Policy")!: "no-referrer",
            .init("X-Content-Type-Options")!: "nosniff",
        ]
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
    }

    static func redirect(to location: String, status: HTTPResponse.Status = .found, cookies: [String] = []) -> Response {
        var headers: HTTPFields = [.location: location, .cacheControl: "no-store"]
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: status, headers: headers)
    }

    /// A request body as text, at most `limit` bytes.
    static func bodyText(_ request: Request, limit: Int = 64 * 1024) async -> String? {
        var request = request
        guard let buffer = try? await request.collectBody(upTo: limit) else { return nil }
        return String(buffer: buffer)
    }

    /// Cookie values by name from the request's `Cookie` headers.
    static func cookies(_ request: Request) -> [String: String] {
        var cookies: [String: String] = [:]
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                let name = parts[0].trimmingCharacters(in: .whitespaces)
                if cookies[name] == nil { cookies[name] = parts[1].trimmingCharacters(in: .whitespaces) }
            }
        }
        return cookies
    }

    func cookie(_ name: String, value: String, maxAge: Int, sameSite: String = "Lax") -> String {
        var cookie = "\(name)=\(value); Path=/oauth; HttpOnly; SameSite=\(sameSite); Max-Age=\(maxAge)"
        if settings().secureCookies { cookie += "; Secure" }
        return cookie
    }

    func record(_ kind: AuditEventKind, _ message: String, _ fields: [AuditField: String]) {
        audit.record(AuditEvent(kind: kind, message: message, fields: fields))
    }

    func recordRevoked(_ grant: Grant, reason: String) {
        record(.grantRevoked, "session \(grant.id) of user \(grant.user) on endpoint \(grant.endpoint) revoked: \(reason)", [
            .grant: grant.id, .user: grant.user, .endpoint: grant.endpoint, .client: grant.clientName,
            .clientID: grant.clientID, .reason: reason,
        ])
        revocations.revoke(grantIDs: [grant.id], by: .daemon)
    }
}
