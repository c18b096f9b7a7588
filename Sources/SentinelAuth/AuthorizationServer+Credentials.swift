import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SentinelCore
import SentinelCrypto
import SentinelGateway
import SentinelStore

/// Personal credentials: the "connect your accounts" step of consent, the re-authentication page, and the
/// callback of upstream OAuth sign-ins.
extension AuthorizationServer {
    /// The personal-mode servers of an endpoint, by name.
    func personalServers(_ endpoint: String) async -> [Server] {
        guard let snapshot = try? await catalog.snapshot(endpoint) else { return [] }
        return snapshot.servers.values.filter { $0.credentialMode == .personal }.sorted { $0.name < $1.name }
    }

    /// Each personal server with the user's state, for the pages.
    func credentialRows(_ servers: [Server], user: User) async -> [CredentialRow] {
        let states = (try? await store.credentialStates(user: user.name)) ?? [:]
        return servers.map { server in
            CredentialRow(
                server: server.name, description: server.description, kind: server.credentialKind,
                state: states[server.name].map { $0 == .connected ? .connected : .expired } ?? .missing)
        }
    }

    /// Consent is approved but some personal servers are not connected: list them with their states.
    func connectPage(_ valid: ValidatedRequest, user: User, csrf: String, duration: Int, problem: String? = nil) async -> Response {
        let rows = await credentialRows(await personalServers(valid.request.endpoint), user: user)
        var hidden = valid.context.requestFields
        hidden.append(("duration", String(duration)))
        return Self.html(
            CredentialPages.connect(
                context: valid.context, hidden: hidden, rows: rows, csrf: csrf, action: "/oauth/authorize",
                finishLabel: "Finish connecting \(valid.context.clientName)", problem: problem),
            status: problem == nil ? .ok : .badRequest)
    }

    /// "Enter token" or "Sign in with …" pressed on the consent's connect step.
    func connectDuringConsent(_ valid: ValidatedRequest, user: User, fields: [String: String]) async -> Response {
        let durations = settings().durations
        guard let duration = fields["duration"].flatMap(Int.init).flatMap(durations.validate) else {
            return Self.html(ConsentPages.problem(title: "Choose an access duration", message: "The form lost its duration; start again."),
                             status: .badRequest)
        }
        let csrf = fields["csrf_token"] ?? ""
        let personal = await personalServers(valid.request.endpoint)
        guard let server = personal.first(where: { $0.name == fields["server"] }) else {
            return await connectPage(valid, user: user, csrf: csrf, duration: duration, problem: "That server does not need your credentials.")
        }
        if fields["action"] == "connect-oauth" {
            var back = valid.context.requestFields
            back.append(("duration", String(duration)))
            return await startUpstreamSignIn(server, user: user, returnTo: "/oauth/authorize?" + FormFields.encode(back)) { message in
                await self.connectPage(valid, user: user, csrf: csrf, duration: duration, problem: message)
            }
        }
        if let problem = await storeToken(server, user: user, token: fields["token"] ?? "") {
            return await connectPage(valid, user: user, csrf: csrf, duration: duration, problem: problem)
        }
        return await connectPage(valid, user: user, csrf: csrf, duration: duration)
    }

    /// Stores a pasted token; returns a problem to show, or nil.
    func storeToken(_ server: Server, user: User, token: String) async -> String? {
        guard server.credentialKind == .bearer else { return "Server \(server.name) is connected by signing in, not with a token." }
        do {
            try await credentials.connectBearer(server: server, owner: user.name, token: token)
        } catch let error as UpstreamOAuthError {
            return "The token was not accepted: \(error.description)."
        } catch {
            logger.error("cannot store a credential: \(error)")
            return "The token could not be stored."
        }
        await refreshCatalogIfEmpty(server)
        return nil
    }

    /// A personal server nobody had connected has no catalog yet: list its tools with the first credential.
    func refreshCatalogIfEmpty(_ server: Server) async {
        if (try? await store.tools(server: server.name).isEmpty) ?? false {
            await catalogs.refresh(server: server.name)
        }
    }

    func startUpstreamSignIn(
        _ server: Server, user: User?, returnTo: String, onFailure: (String) async -> Response
    ) async -> Response {
        guard server.credentialKind == .oauth else { return await onFailure("Server \(server.name) takes a pasted token.") }
        do {
            let url = try await credentials.beginOAuth(server: server, owner: user?.name, returnTo: returnTo)
            return Self.redirect(to: url, status: .seeOther)
        } catch {
            logger.warning("cannot start the OAuth sign-in for \(server.name): \(error)")
            return await onFailure("Signing in to \(server.name) is not possible right now: \(error).")
        }
    }

    /// GET /oauth/upstream/callback: the upstream sends the browser back with a code.
    func upstreamCallback(_ request: Request) async -> Response {
        let fields = FormFields.parse(request.uri.query ?? "")
        guard let state = fields["state"] else {
            return Self.html(ConsentPages.problem(title: "Sign-in failed", message: "The answer has no state."), status: .badRequest)
        }
        if let error = fields["error"] {
            _ = try? await store.takeUpstreamAuthorization(stateHash: OpaqueToken.hash(state), now: clock())
            return Self.html(
                ConsentPages.problem(title: "Sign-in refused", message: "The server's sign-in answered: \(fields["error_description"] ?? error)."),
                status: .badRequest)
        }
        guard let code = fields["code"] else {
            return Self.html(ConsentPages.problem(title: "Sign-in failed", message: "The answer has no code."), status: .badRequest)
        }
        var signedIn: String?
        if let cookie = Self.cookies(request)[Self.signInCookie] {
            signedIn = try? await store.signedInUser(hash: OpaqueToken.hash(cookie), now: clock())?.name
        }
        do {
            let pending = try await credentials.completeOAuth(
                state: state, code: code, issuer: fields["iss"], signedInUser: signedIn)
            if let server = try? await store.server(named: pending.server) { await refreshCatalogIfEmpty(server) }
            return Self.redirect(to: pending.returnTo, status: .seeOther)
        } catch {
            logger.warning("upstream OAuth callback failed: \(error)")
            return Self.html(ConsentPages.problem(title: "Sign-in failed", message: "\(error)"), status: .badRequest)
        }
    }

    // MARK: - The re-authentication page

    /// GET /oauth/credentials: the signed-in user's personal servers, to connect or re-authenticate.
    func credentialsPage(_ request: Request) async -> Response {
        let cookies = Self.cookies(request)
        guard let token = cookies[Self.signInCookie], let user = try? await store.signedInUser(hash: OpaqueToken.hash(token), now: clock()) else {
            return credentialsSignIn(cookies: cookies)
        }
        return await credentialsOverview(user: user, csrf: Self.consentCSRF(signInToken: token))
    }

    func credentialsOverview(user: User, csrf: String, problem: String? = nil, notice: String? = nil) async -> Response {
        let servers = await serversFor(user)
        let rows = await credentialRows(servers, user: user)
        return Self.html(
            CredentialPages.overview(user: user, rows: rows, csrf: csrf, problem: problem, notice: notice),
            status: problem == nil ? .ok : .badRequest)
    }

    /// Personal servers of the endpoints the user may use.
    func serversFor(_ user: User) async -> [Server] {
        var servers: [String: Server] = [:]
        for endpoint in (try? await store.endpoints()) ?? [] where endpoint.auth == .oauth {
            guard let access = try? await store.access(endpoint: endpoint.name), access.admits(user: user.name, memberOf: user.groups)
            else { continue }
            for server in await personalServers(endpoint.name) { servers[server.name] = server }
        }
        return servers.values.sorted { $0.name < $1.name }
    }

    func credentialsSignIn(cookies: [String: String], error: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        let csrf = cookies[Self.csrfCookie].flatMap { $0.count >= 32 ? $0 : nil } ?? SecureRandom.token(bytes: 24)
        return Self.html(
            CredentialPages.signIn(csrf: csrf, error: error), status: status,
            cookies: [cookie(Self.csrfCookie, value: csrf, maxAge: 3600, sameSite: "Strict")])
    }

    /// POST /oauth/credentials: sign in, enter a token, sign in to an upstream, or disconnect.
    func credentialsForm(_ request: Request, context: GatewayRequestContext) async -> Response {
        guard let body = await Self.bodyText(request) else {
            return Self.html(ConsentPages.problem(title: "Request refused", message: "The form is too large."), status: .contentTooLarge)
        }
        let fields = FormFields.parse(body)
        let cookies = Self.cookies(request)
        let address = context.clientAddress
        if fields["action"] == "signin" {
            guard let expected = cookies[Self.csrfCookie], let presented = fields["csrf_token"],
                  constantTimeEquals(Array(expected.utf8), Array(presented.utf8))
            else { return csrfRefused() }
            switch await checkSignIn(username: fields["username"] ?? "", password: fields["password"] ?? "", address: address) {
            case .refused(let message, let status): return credentialsSignIn(cookies: cookies, error: message, status: status)
            case .signedIn(let cookie): return Self.redirect(to: "/oauth/credentials", status: .seeOther, cookies: [cookie])
            }
        }
        guard let token = cookies[Self.signInCookie], let user = try? await store.signedInUser(hash: OpaqueToken.hash(token), now: clock()) else {
            return credentialsSignIn(cookies: cookies, error: "Your sign-in has expired. Please sign in again.")
        }
        let csrf = Self.consentCSRF(signInToken: token)
        guard let presented = fields["csrf_token"], constantTimeEquals(Array(presented.utf8), Array(csrf.utf8)) else { return csrfRefused() }
        guard let server = await serversFor(user).first(where: { $0.name == fields["server"] }) else {
            return await credentialsOverview(user: user, csrf: csrf, problem: "That server does not need your credentials.")
        }
        switch fields["action"] {
        case "connect-oauth":
            return await startUpstreamSignIn(server, user: user, returnTo: "/oauth/credentials") { message in
                await self.credentialsOverview(user: user, csrf: csrf, problem: message)
            }
        case "connect-token":
            if let problem = await storeToken(server, user: user, token: fields["token"] ?? "") {
                return await credentialsOverview(user: user, csrf: csrf, problem: problem)
            }
            return await credentialsOverview(user: user, csrf: csrf, notice: "Your token for \(server.name) is saved.")
        case "disconnect":
            try? await credentials.disconnect(server: server.name, owner: user.name)
            return await credentialsOverview(user: user, csrf: csrf, notice: "Your credentials for \(server.name) are deleted.")
        default:
            return await credentialsOverview(user: user, csrf: csrf, problem: "The form was not recognised.")
        }
    }
}

/// One personal server on the credential pages.
struct CredentialRow {
    enum State { case connected, expired, missing }
    var server: String
    var description: String
    var kind: CredentialKind
    var state: State
}
