import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SentinelCore
import SentinelCrypto
import SentinelGateway
import SentinelStore

/// The account page (/oauth/account): a signed-in user revokes their own sessions, re-authenticates or disconnects
/// their personal credentials, and signs out. Same sign-in as consent (the `sentinel_signin` cookie); every POST
/// carries the CSRF token bound to that sign-in; every action is audited with the user as `ACTOR` and answered with a
/// redirect (post/redirect/get) to the page, which then confirms what happened.
extension AuthorizationServer {
    /// What the page confirms after a redirect, named in its query (`done=`): only facts the page can check again
    /// for the signed-in user, so a crafted link cannot make it claim anything.
    enum AccountOutcome: String {
        case revoked, disconnected
        case signedOut = "signed-out"
    }

    // MARK: - Routes

    /// GET /oauth/account: the account page, or the sign-in form when the browser is not signed in.
    func accountPage(_ request: Request) async -> Response {
        let cookies = Self.cookies(request)
        let query = FormFields.parse(request.uri.query ?? "")
        guard let session = await signedIn(cookies) else {
            let signedOut = query["done"] == AccountOutcome.signedOut.rawValue
            return accountSignIn(cookies: cookies, notice: signedOut ? "You are signed out." : nil)
        }
        let notice = await accountNotice(query, user: session.user)
        return await accountOverview(user: session.user, signInToken: session.token, notice: notice)
    }

    /// POST /oauth/account: sign in, revoke a session, or disconnect a credential.
    func accountForm(_ request: Request, context: GatewayRequestContext) async -> Response {
        guard let body = await Self.bodyText(request) else {
            return Self.html(ConsentPages.problem(title: "Request refused", message: "The form is too large."), status: .contentTooLarge)
        }
        let fields = FormFields.parse(body)
        let cookies = Self.cookies(request)
        let address = context.clientAddress
        if fields["action"] == "signin" {
            switch await pageSignIn(fields, cookies: cookies, address: address) {
            case nil: return csrfRefused()
            case .refused(let message, let status): return accountSignIn(cookies: cookies, error: message, status: status)
            case .signedIn(let cookie): return Self.redirect(to: AccountPages.path, status: .seeOther, cookies: [cookie])
            }
        }
        guard case let (token, user)? = await signedIn(cookies) else {
            return accountSignIn(cookies: cookies, error: "Your sign-in has expired. Please sign in again.")
        }
        guard accountCSRFMatches(fields, signInToken: token) else { return csrfRefused() }
        switch fields["action"] {
        case "revoke":
            return await revokeOwnSession(fields["grant"] ?? "", user: user, signInToken: token, address: address)
        case "disconnect":
            return await disconnectOwnCredential(fields["server"] ?? "", user: user, signInToken: token, address: address)
        default:
            return await accountOverview(user: user, signInToken: token, problem: "The form was not recognised.", status: .badRequest)
        }
    }

    /// POST /oauth/sign-out: ends the sign-in (deleted here, not only forgotten by the browser) and clears its cookie.
    func signOut(_ request: Request, context: GatewayRequestContext) async -> Response {
        guard let body = await Self.bodyText(request) else {
            return Self.html(ConsentPages.problem(title: "Request refused", message: "The form is too large."), status: .contentTooLarge)
        }
        let cleared = cookie(Self.signInCookie, value: "", maxAge: 0)
        guard case let (token, user)? = await signedIn(Self.cookies(request)) else {
            return Self.redirect(to: AccountPages.path, status: .seeOther, cookies: [cleared])
        }
        guard accountCSRFMatches(FormFields.parse(body), signInToken: token) else { return csrfRefused() }
        do {
            try await store.deleteSignIn(hash: OpaqueToken.hash(token))
        } catch {
            logger.error("cannot delete a sign-in: \(error)")
            return await accountOverview(
                user: user, signInToken: token, problem: "Signing out failed; try again.", status: .internalServerError)
        }
        let address = context.clientAddress ?? ""
        record(.signOut, "\(user.name) signed out", [.user: user.name, .remoteAddress: address])
        return Self.redirect(
            to: AccountPages.path + "?done=" + AccountOutcome.signedOut.rawValue, status: .seeOther, cookies: [cleared])
    }

    // MARK: - Actions

    /// Revokes one of the user's own active sessions through the one revocation path (tokens refused and open
    /// streams closed at once). Another user's session, an unknown one and an ended one are all "not yours".
    func revokeOwnSession(_ grantID: String, user: User, signInToken: String, address: String?) async -> Response {
        let revoked = (try? await store.revokeGrants(matching: GrantFilter(id: grantID, user: user.name), now: clock())) ?? []
        guard !revoked.isEmpty else {
            return await accountOverview(
                user: user, signInToken: signInToken,
                problem: "That session is not one of your active sessions; nothing was revoked.", status: .notFound)
        }
        for grant in revoked {
            record(.grantRevoked, "session \(grant.id) of user \(grant.user) on endpoint \(grant.endpoint) revoked by \(user.name) on the account page", [
                .grant: grant.id, .user: grant.user, .endpoint: grant.endpoint, .client: grant.clientName,
                .clientID: grant.clientID, .actor: user.name, .remoteAddress: address ?? "",
            ])
        }
        revocations.revoke(grantIDs: revoked.map(\.id), by: .daemon)
        return Self.redirect(
            to: AccountPages.path + "?" + FormFields.encode([("done", AccountOutcome.revoked.rawValue), ("grant", grantID)]),
            status: .seeOther)
    }

    /// Deletes the user's own credential for a server; their next call to it names the credentials page.
    func disconnectOwnCredential(_ server: String, user: User, signInToken: String, address: String?) async -> Response {
        var removed = false
        if (try? await store.credential(server: server, owner: user.name)) != nil {
            do {
                try await credentials.disconnect(
                    server: server, owner: user.name, fields: [.actor: user.name, .remoteAddress: address ?? ""])
                removed = true
            } catch {
                logger.error("cannot delete the credential of \(user.name) for \(server): \(error)")
            }
        }
        guard removed else {
            return await accountOverview(
                user: user, signInToken: signInToken,
                problem: "You have no credentials for that server; nothing was disconnected.", status: .notFound)
        }
        return Self.redirect(
            to: AccountPages.path + "?" + FormFields.encode([("done", AccountOutcome.disconnected.rawValue), ("server", server)]),
            status: .seeOther)
    }

    // MARK: - Pages

    func accountOverview(
        user: User, signInToken: String, notice: String? = nil, problem: String? = nil, status: HTTPResponse.Status = .ok
    ) async -> Response {
        let sessions = (try? await store.grants(matching: GrantFilter(user: user.name), now: clock())) ?? []
        let view = AccountView(
            user: user, sessions: sessions, credentials: await accountCredentials(user),
            csrf: Self.consentCSRF(signInToken: signInToken), notice: notice, problem: problem)
        return Self.html(AccountPages.overview(view), status: status)
    }

    /// The personal servers of the endpoints the user may use, and any other server they still hold a credential for
    /// (they may have lost access since; they can still disconnect it).
    func accountCredentials(_ user: User) async -> [AccountView.Credential] {
        var servers = await serversFor(user)
        let states = (try? await store.credentialStates(user: user.name)) ?? [:]
        for name in states.keys.sorted() where !servers.contains(where: { $0.name == name }) {
            if let server = try? await store.server(named: name) { servers.append(server) }
        }
        var result: [AccountView.Credential] = []
        for row in await credentialRows(servers, user: user) {
            let stored = try? await store.credential(server: row.server, owner: user.name)
            result.append(AccountView.Credential(row: row, connectedAt: stored?.connectedAt))
        }
        return result
    }

    func accountSignIn(
        cookies: [String: String], error: String? = nil, notice: String? = nil, status: HTTPResponse.Status = .ok
    ) -> Response {
        let csrf = cookies[Self.csrfCookie].flatMap { $0.count >= 32 ? $0 : nil } ?? SecureRandom.token(bytes: 24)
        return Self.html(
            AccountPages.signIn(csrf: csrf, error: error, notice: notice), status: status,
            cookies: [cookie(Self.csrfCookie, value: csrf, maxAge: 3600, sameSite: "Strict")])
    }

    /// The confirmation named by the query, checked against the store for this user; nil when it does not hold.
    func accountNotice(_ query: [String: String], user: User) async -> String? {
        switch query["done"].flatMap(AccountOutcome.init(rawValue:)) {
        case .revoked:
            guard let id = query["grant"],
                  let grant = try? await store.grants(matching: GrantFilter(id: id, user: user.name, includeInactive: true), now: clock()).first,
                  grant.revokedAt != nil
            else { return nil }
            return "Access of \(grant.clientName) to endpoint \(grant.endpoint) is revoked."
        case .disconnected:
            guard let server = query["server"], (try? await store.server(named: server)) != nil,
                  (try? await store.credential(server: server, owner: user.name)) == nil
            else { return nil }
            return "Your credentials for \(server) are deleted. Calls to it fail until you connect it again."
        case .signedOut, nil:
            return nil
        }
    }

    // MARK: - Helpers

    /// The sign-in token and user of the browser's unexpired sign-in.
    func signedIn(_ cookies: [String: String]) async -> (token: String, user: User)? {
        guard let token = cookies[Self.signInCookie],
              let user = try? await store.signedInUser(hash: OpaqueToken.hash(token), now: clock())
        else { return nil }
        return (token, user)
    }

    func accountCSRFMatches(_ fields: [String: String], signInToken: String) -> Bool {
        guard let presented = fields["csrf_token"] else { return false }
        return constantTimeEquals(Array(presented.utf8), Array(Self.consentCSRF(signInToken: signInToken).utf8))
    }
}
