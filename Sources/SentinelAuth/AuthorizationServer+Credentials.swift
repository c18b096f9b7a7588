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
///
/// Every form here answers with a redirect to a page (post/redirect/get), carrying what happened as a `PageMessage`,
/// so a reload never submits a token again.
extension AuthorizationServer {
    /// The personal-mode servers of an endpoint, by name.
    func personalServers(_ endpoint: String) async -> [Server] {
        guard let snapshot = try? await catalog.snapshot(endpoint) else { return [] }
        return snapshot.servers.values.filter { $0.credentialMode == .personal }.sorted { $0.name < $1.name }
    }

    /// Each personal server with the user's state, for the pages.
    func credentialRows(_ servers: [Server], user: User) async -> [CredentialRow] {
        let states = (try? await store.credentialStates(user: user.name)) ?? [:]
        var rows: [CredentialRow] = []
        for server in servers {
            var state: CredentialRow.State
            switch states[server.name] {
            case nil: state = .missing
            case .expired: state = .expired
            case .connected: state = .connected
            }
            if state == .connected, server.credentialKind == .bearer,
                let stored = try? await store.credential(server: server.name, owner: user.name), !stored.verified
            {
                state = .unverified
            }
            rows.append(
                CredentialRow(
                    server: server.name, description: server.description, kind: server.credentialKind, state: state,
                    hint: server.credentialHint))
        }
        return rows
    }

    // MARK: - Messages across a redirect

    /// A 303 to `location` that leaves `message` for the page there.
    func redirect(to location: String, with message: PageMessage, signInToken: String) -> Response {
        Self.redirect(
            to: location, status: .seeOther,
            cookies: [cookie(PageMessage.cookieName, value: message.sealed(signInToken: signInToken), maxAge: PageMessage.lifetime)])
    }

    /// The message a redirect left for this page, and the cookie that clears it (nil when there was none).
    func takeMessage(_ cookies: [String: String], signInToken: String) -> (message: PageMessage?, clear: [String]) {
        guard let value = cookies[PageMessage.cookieName] else { return (nil, []) }
        return (PageMessage.open(value, signInToken: signInToken), [cookie(PageMessage.cookieName, value: "", maxAge: 0)])
    }

    // MARK: - The connect step of consent

    /// Where the consent's connect step lives: the authorization request again, with the chosen duration.
    func connectStepURL(_ valid: ValidatedRequest, duration: Int) -> String {
        var fields = valid.context.requestFields
        fields.append(("duration", String(duration)))
        return "/oauth/authorize?" + FormFields.encode(fields)
    }

    /// Consent is approved but some personal servers are not connected: list them with their states.
    func connectPage(
        _ valid: ValidatedRequest, user: User, csrf: String, duration: Int, message: PageMessage? = nil, cookies: [String] = []
    ) async -> Response {
        let rows = await credentialRows(await personalServers(valid.request.endpoint), user: user)
        var hidden = valid.context.requestFields
        hidden.append(("duration", String(duration)))
        return Self.html(
            CredentialPages.connect(
                context: valid.context, user: user, hidden: hidden, rows: rows, csrf: csrf, action: "/oauth/authorize",
                finishLabel: "Finish connecting \(valid.context.clientName)",
                problem: message?.kind == .problem ? message?.text : nil, notice: message?.kind == .notice ? message?.text : nil),
            cookies: cookies)
    }

    /// GET of the connect step (after a form or an upstream sign-in): the page, with the message left for it.
    func connectStep(_ valid: ValidatedRequest, user: User, signInToken: String, duration: Int, cookies: [String: String]) async -> Response {
        let (message, clear) = takeMessage(cookies, signInToken: signInToken)
        return await connectPage(
            valid, user: user, csrf: Self.consentCSRF(signInToken: signInToken), duration: duration, message: message, cookies: clear)
    }

    /// "Enter token" or "Sign in with …" pressed on the consent's connect step.
    func connectDuringConsent(_ valid: ValidatedRequest, user: User, signInToken: String, fields: [String: String]) async -> Response {
        let durations = settings().durations
        guard let duration = fields["duration"].flatMap(Int.init).flatMap(durations.validate) else {
            return Self.html(
                ConsentPages.problem(
                    title: "Choose an access duration", message: "The form lost the access duration you chose, so nothing was saved.",
                    back: ("/oauth/authorize?" + FormFields.encode(valid.context.requestFields), "Start again")),
                status: .badRequest)
        }
        let back = connectStepURL(valid, duration: duration)
        let personal = await personalServers(valid.request.endpoint)
        guard let server = personal.first(where: { $0.name == fields["server"] }) else {
            return redirect(to: back, with: .problem("That server does not need your credentials."), signInToken: signInToken)
        }
        if fields["action"] == "connect-oauth" {
            return await startUpstreamSignIn(server, user: user, returnTo: back) { message in
                self.redirect(to: back, with: .problem(message), signInToken: signInToken)
            }
        }
        let message = await storeToken(server, user: user, token: fields["token"] ?? "")
        return redirect(to: back, with: message, signInToken: signInToken)
    }

    /// Checks and stores a pasted token; returns what the page says about it.
    func storeToken(_ server: Server, user: User, token: String) async -> PageMessage {
        guard server.credentialKind == .bearer else {
            return .problem("\(server.name) is connected by signing in, not with a token.")
        }
        let outcome: PastedTokenOutcome
        do {
            outcome = try await credentials.connectBearer(server: server, owner: user.name, token: token, verifier: verifier)
        } catch let error as UpstreamOAuthError {
            return .problem("The token was not saved: \(error.description).")
        } catch {
            logger.error("cannot store a credential: \(error)")
            return .problem("The token could not be stored. Please try again; if it keeps failing, tell your administrator.")
        }
        if case .refused = outcome {} else { await refreshCatalogIfEmpty(server) }
        return CredentialPages.message(for: outcome, server: server.name)
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
        guard server.credentialKind == .oauth else { return await onFailure("\(server.name) takes a token, not a sign-in.") }
        do {
            let url = try await credentials.beginOAuth(server: server, owner: user?.name, returnTo: returnTo)
            return Self.redirect(to: url, status: .seeOther)
        } catch {
            logger.warning("cannot start the OAuth sign-in for \(server.name): \(error)")
            return await onFailure(
                "Signing in to \(server.name) cannot start right now (its sign-in service did not answer as expected). "
                    + "Try again later; if it keeps failing, tell your administrator.")
        }
    }

    // MARK: - The upstream's answer

    /// GET /oauth/upstream/callback: the upstream sends the browser back with a code (or an error).
    ///
    /// Success, and failures of the user's own flow, return the browser to where the flow started (the connect step
    /// or the credentials page) with a message; answers that may be attacks (another user's flow, a browser signed in
    /// nowhere, an unknown state, another issuer) are audited and get a page of their own.
    func upstreamCallback(_ request: Request, context: GatewayRequestContext) async -> Response {
        let fields = FormFields.parse(request.uri.query ?? "")
        let signInToken = Self.cookies(request)[Self.signInCookie]
        var signedIn: String?
        if let signInToken {
            signedIn = try? await store.signedInUser(hash: OpaqueToken.hash(signInToken), now: clock())?.name
        }
        guard let state = fields["state"] else {
            let failure = UpstreamSignInFailure(.unknownState, flow: nil, detail: "the answer has no state")
            recordRefusedCallback(failure, signedIn: signedIn, address: context.clientAddress)
            return callbackProblem(failure, signedIn: signedIn)
        }
        let answer = UpstreamCredentials.CallbackAnswer(
            state: state, code: fields["code"], error: fields["error"], errorDescription: fields["error_description"],
            issuer: fields["iss"])
        let pending: PendingUpstreamAuthorization
        do {
            pending = try await credentials.completeOAuth(answer, signedInUser: signedIn)
        } catch {
            logger.warning("upstream OAuth callback refused: \(error)")
            if error.isSuspicious { recordRefusedCallback(error, signedIn: signedIn, address: context.clientAddress) }
            // The user's own flow: back to where it started, saying what happened.
            if let flow = error.flow, flow.user != nil, flow.user == signedIn, let signInToken {
                let message = CredentialPages.signInFailureMessage(error.reason, server: flow.server)
                return redirect(to: flow.returnTo, with: .problem(message), signInToken: signInToken)
            }
            return callbackProblem(error, signedIn: signedIn)
        }
        if let server = try? await store.server(named: pending.server) { await refreshCatalogIfEmpty(server) }
        // A shared credential's sign-in (sentinelctl server login) returns to a page of its own.
        guard pending.user != nil, let signInToken else { return Self.redirect(to: pending.returnTo, status: .seeOther) }
        return redirect(
            to: pending.returnTo, with: .notice("Signed in to \(pending.server): your account is connected."), signInToken: signInToken)
    }

    /// The page for an answer that cannot go back to where its flow started.
    func callbackProblem(_ failure: UpstreamSignInFailure, signedIn: String?) -> Response {
        let server = failure.flow?.server ?? "the server"
        let message = CredentialPages.signInFailureMessage(failure.reason, server: server)
        // A shared credential's sign-in (sentinelctl server login) started at the command line.
        if let flow = failure.flow, flow.user == nil {
            return Self.html(
                ConsentPages.problem(
                    title: "Sign-in failed", message: message,
                    detail: "Run sentinelctl server login \(flow.server) to start again."),
                status: .badRequest)
        }
        let back = signedIn == nil
            ? (href: "/oauth/credentials", label: "Sign in to Sentinel")
            : (href: "/oauth/credentials", label: "Go to your connected servers")
        return Self.html(ConsentPages.problem(title: "Sign-in not finished", message: message, back: back), status: .badRequest)
    }

    /// Audits an answer refused because it may be an attack.
    func recordRefusedCallback(_ failure: UpstreamSignInFailure, signedIn: String?, address: String?) {
        var fields: [AuditField: String] = [
            .reason: failure.auditReason, .remoteAddress: address ?? "", .detail: failure.detail,
        ]
        if let flow = failure.flow {
            fields[.server] = flow.server
            fields[.credentialOwner] = flow.user ?? "(shared)"
        }
        if let signedIn { fields[.user] = signedIn }
        let whose = failure.flow.map { " of \($0.user ?? "the shared account") for \($0.server)" } ?? ""
        record(.upstreamCallbackRefused, "upstream sign-in answer\(whose) refused: \(failure.auditReason)", fields)
    }

    // MARK: - The re-authentication page

    /// GET /oauth/credentials: the signed-in user's personal servers, to connect or re-authenticate.
    func credentialsPage(_ request: Request) async -> Response {
        let cookies = Self.cookies(request)
        guard let token = cookies[Self.signInCookie], let user = try? await store.signedInUser(hash: OpaqueToken.hash(token), now: clock()) else {
            return credentialsSignIn(cookies: cookies)
        }
        let (message, clear) = takeMessage(cookies, signInToken: token)
        return await credentialsOverview(
            user: user, csrf: Self.consentCSRF(signInToken: token), problem: message?.kind == .problem ? message?.text : nil,
            notice: message?.kind == .notice ? message?.text : nil, cookies: clear)
    }

    func credentialsOverview(
        user: User, csrf: String, problem: String? = nil, notice: String? = nil, cookies: [String] = []
    ) async -> Response {
        let servers = await serversFor(user)
        let rows = await credentialRows(servers, user: user)
        return Self.html(CredentialPages.overview(user: user, rows: rows, csrf: csrf, problem: problem, notice: notice), cookies: cookies)
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
            return Self.html(
                ConsentPages.problem(
                    title: "Request refused", message: "The form is too large, so nothing was saved.",
                    back: ("/oauth/credentials", "Back to your connected servers")),
                status: .contentTooLarge)
        }
        let fields = FormFields.parse(body)
        let cookies = Self.cookies(request)
        let address = context.clientAddress
        if fields["action"] == "signin" {
            switch await pageSignIn(fields, cookies: cookies, address: address) {
            case nil: return csrfRefused(back: ("/oauth/credentials", "Back to the sign-in page"))
            case .refused(let message, let status): return credentialsSignIn(cookies: cookies, error: message, status: status)
            case .signedIn(let cookie): return Self.redirect(to: "/oauth/credentials", status: .seeOther, cookies: [cookie])
            }
        }
        guard let token = cookies[Self.signInCookie], let user = try? await store.signedInUser(hash: OpaqueToken.hash(token), now: clock()) else {
            return credentialsSignIn(cookies: cookies, error: "Your sign-in has expired, so nothing was saved. Please sign in again.")
        }
        let csrf = Self.consentCSRF(signInToken: token)
        guard let presented = fields["csrf_token"], constantTimeEquals(Array(presented.utf8), Array(csrf.utf8)) else {
            return csrfRefused(back: ("/oauth/credentials", "Back to your connected servers"))
        }
        let back = "/oauth/credentials"
        guard let server = await serversFor(user).first(where: { $0.name == fields["server"] }) else {
            return redirect(to: back, with: .problem("That server does not need your credentials."), signInToken: token)
        }
        switch fields["action"] {
        case "connect-oauth":
            return await startUpstreamSignIn(server, user: user, returnTo: back) { message in
                self.redirect(to: back, with: .problem(message), signInToken: token)
            }
        case "connect-token":
            return redirect(to: back, with: await storeToken(server, user: user, token: fields["token"] ?? ""), signInToken: token)
        case "disconnect":
            try? await credentials.disconnect(server: server.name, owner: user.name)
            return redirect(to: back, with: .notice("Your credentials for \(server.name) are deleted."), signInToken: token)
        default:
            return redirect(to: back, with: .problem("The form was not recognised, so nothing changed."), signInToken: token)
        }
    }
}

/// One personal server on the credential pages.
struct CredentialRow {
    enum State {
        case connected
        /// Saved while the server could not be reached to check it.
        case unverified
        case expired
        case missing
    }

    var server: String
    var description: String
    var kind: CredentialKind
    var state: State
    /// Where to get a token, as the admin wrote it.
    var hint: String? = nil
}
