import HTTPTypes
import Logging
import SentinelStore
import Synchronization
import Dispatch
import Foundation
import Hummingbird
import SentinelCore
import SentinelCrypto
import SentinelGateway

extension AuthorizationServer {
    static let signInCookie = "sentinel_signin"
    static let csrfCookie = "sentinel_csrf"
    static let codeLifetime: TimeInterval = 60

    /// A request that passed validation, with what the pages need.
    struct ValidatedRequest {
        var request: AuthorizationRequest
        var client: OAuthClient
        var context: ConsentContext
    }

    enum Resolution {
        case valid(ValidatedRequest)
        case answer(Response)
    }

    // MARK: - Routes

    /// GET /oauth/authorize: validates the request, then shows the sign-in or the consent page.
    func authorize(_ request: Request, context: GatewayRequestContext) async -> Response {
        let query = request.uri.query ?? ""
        let resolution = await resolve(
            FormFields.parse(query), repeated: FormFields.repeated(query), address: context.clientAddress)
        guard case .valid(let valid) = resolution else {
            if case .answer(let response) = resolution { return response }
            return Self.html(ConsentPages.problem(title: "Request refused", message: "The request could not be read."), status: .badRequest)
        }
        let cookies = Self.cookies(request)
        if let token = cookies[Self.signInCookie], let user = try? await store.signedInUser(hash: OpaqueToken.hash(token), now: clock()) {
            // Back from an upstream sign-in during consent: show the servers' states again.
            if let duration = FormFields.parse(query)["duration"].flatMap(Int.init), settings().durations.validate(duration) != nil {
                if let refusal = await accessRefusal(valid, user: user) { return refusal }
                return await connectStep(valid, user: user, signInToken: token, duration: duration, cookies: cookies)
            }
            return await consentPage(valid, user: user, signInToken: token)
        }
        return signInPage(valid, cookies: cookies)
    }

    /// POST /oauth/authorize: the sign-in, approve, deny and sign-out buttons.
    func authorizeForm(_ request: Request, context: GatewayRequestContext) async -> Response {
        guard let body = await Self.bodyText(request) else {
            return Self.html(
                ConsentPages.problem(
                    title: "Request refused", message: "The form is too large, so nothing was saved.",
                    detail: "Go back to the application and start connecting again."),
                status: .contentTooLarge)
        }
        let fields = FormFields.parse(body)
        let resolution = await resolve(
            fields.filter { AuthorizationRequest.fieldNames.contains($0.key) }, repeated: [],
            address: context.clientAddress)
        guard case .valid(let valid) = resolution else {
            if case .answer(let response) = resolution { return response }
            return Self.html(ConsentPages.problem(title: "Request refused", message: "The request could not be read."), status: .badRequest)
        }
        let cookies = Self.cookies(request)
        let address = context.clientAddress
        switch fields["action"] {
        case "signin":
            return await signIn(valid, fields: fields, cookies: cookies, address: address)
        case "approve", "deny", "signout", "connect-token", "connect-oauth":
            guard let token = cookies[Self.signInCookie],
                  let user = try? await store.signedInUser(hash: OpaqueToken.hash(token), now: clock())
            else {
                return signInPage(valid, cookies: cookies, error: "Your sign-in has expired. Please sign in again.")
            }
            guard let presented = fields["csrf_token"],
                  constantTimeEquals(Array(presented.utf8), Array(Self.consentCSRF(signInToken: token).utf8))
            else { return csrfRefused(back: consentBack(valid)) }
            switch fields["action"] {
            case "signout":
                try? await store.deleteSignIn(hash: OpaqueToken.hash(token))
                return Self.redirect(
                    to: "/oauth/authorize?" + FormFields.encode(valid.context.requestFields), status: .seeOther,
                    cookies: [cookie(Self.signInCookie, value: "", maxAge: 0)])
            case "deny":
                return redirectToClient(valid.request, [("error", "access_denied"), ("error_description", "the user denied access")])
            case "connect-token", "connect-oauth":
                return await connectDuringConsent(valid, user: user, signInToken: token, fields: fields)
            default:
                return await approve(valid, user: user, fields: fields)
            }
        default:
            return Self.html(
                ConsentPages.problem(
                    title: "Request refused", message: "The form was not recognised, so nothing changed.", back: consentBack(valid)),
                status: .badRequest)
        }
    }

    // MARK: - Validation

    /// Finds the client and validates the request; errors that cannot go back to the client are shown as a page.
    func resolve(_ fields: [String: String], repeated: [String], address: String?) async -> Resolution {
        func page(_ message: String, status: HTTPResponse.Status = .badRequest) -> Resolution {
            .answer(
                Self.html(
                    ConsentPages.problem(
                        title: "This authorization request cannot be used", message: message,
                        detail: "Nothing was authorized. Go back to the application and connect again; if this keeps happening, "
                            + "tell the application's maker or your administrator."),
                    status: status))
        }
        if let name = repeated.first(where: AuthorizationRequest.fieldNames.contains) {
            return page("The request repeats the parameter \(name).")
        }
        guard let clientID = fields["client_id"], !clientID.isEmpty else {
            return page("The request names no client (client_id is missing).")
        }
        let client: OAuthClient
        switch await findClient(clientID, address: address) {
        case .success(let found): client = found
        case .failure(let error): return page("Unknown application: \(error.message)")
        }
        let settings = settings()
        var endpointName: String?
        var snapshot: EndpointSnapshot?
        if let candidate = settings.endpoint(forResource: fields["resource"] ?? ""),
           let found = try? await catalog.snapshot(candidate), found.endpoint.auth == .oauth {
            endpointName = candidate
            snapshot = found
        }
        let request: AuthorizationRequest
        do {
            request = try AuthorizationRequest.validate(
                fields, registeredRedirectURIs: client.redirectURIs, endpointForResource: { _ in endpointName })
        } catch {
            switch error {
            case .unsafe(let message): return page(message)
            case .redirect(let oauthError, let redirectURI, let state):
                var parameters = [("error", oauthError.code.rawValue), ("error_description", oauthError.message)]
                if let state { parameters.append(("state", state)) }
                parameters.append(("iss", settings.issuer))
                return .answer(Self.redirect(to: FormFields.appending(parameters, to: redirectURI)))
            }
        }
        guard let snapshot else { return page("The endpoint is gone.") }
        let requestFields = AuthorizationRequest.fieldNames.compactMap { name in fields[name].map { (name, $0) } }
        let context = ConsentContext(
            clientName: client.name, clientID: client.id, redirectHost: URL(string: request.redirectURI)?.host ?? request.redirectURI,
            endpoint: snapshot.endpoint.name, endpointDescription: snapshot.endpoint.description,
            enabledTools: snapshot.enabled.count, requestFields: requestFields,
            awaitingTools: (try? await store.unlistedEnabledTools(endpoint: snapshot.endpoint.name).count) ?? 0)
        return .valid(ValidatedRequest(request: request, client: client, context: context))
    }

    /// A registered client, or a metadata-document client fetched (and cached for an hour).
    func findClient(_ clientID: String, address: String?) async -> Result<OAuthClient, OAuthError> {
        let now = clock()
        let stored = try? await store.client(id: clientID)
        if let stored, stored.kind != .metadataDocument || now.timeIntervalSince(stored.updatedAt) < 3600 {
            return .success(stored)
        }
        guard ClientMetadataFetcher.isMetadataURL(clientID) else {
            return .failure(OAuthError(.invalidClient, "no client is registered with id \(clientID)"))
        }
        guard metadataFetches.withLock({ $0.admit(address ?? "unknown", now: now) }) else {
            return .failure(OAuthError(.temporarilyUnavailable, "too many client metadata lookups from this address; try again later"))
        }
        do {
            var client = try await ClientMetadataFetcher(allowPrivateTargets: settings().clientMetadataPrivateTargets).fetch(clientID, now: now)
            client.createdAt = stored?.createdAt ?? now
            try? await store.saveClient(client)
            return .success(client)
        } catch {
            return .failure(error)
        }
    }

    // MARK: - Sign-in

    func signInPage(_ valid: ValidatedRequest, cookies: [String: String], error: String? = nil, username: String = "",
                    status: HTTPResponse.Status = .ok) -> Response {
        let csrf = cookies[Self.csrfCookie].flatMap { $0.count >= 32 ? $0 : nil } ?? SecureRandom.token(bytes: 24)
        return Self.html(
            ConsentPages.signIn(valid.context, csrf: csrf, username: username, error: error), status: status,
            cookies: [cookie(Self.csrfCookie, value: csrf, maxAge: 3600, sameSite: "Strict")])
    }

    /// The page for a form whose CSRF token is missing or wrong (an old page, another site's form): nothing was done.
    func csrfRefused(back: (href: String, label: String)? = nil) -> Response {
        Self.html(
            ConsentPages.problem(
                title: "Form refused",
                message: "This form could not be verified (it may be from an old page, or from another site), so nothing was done.",
                detail: (back == nil ? "Go back to the application and start connecting again." : "Open the page again and repeat what you did.")
                    + " (The form's CSRF token was missing or wrong.)",
                back: back),
            status: .forbidden)
    }

    /// The start of the consent flow: the authorization request again.
    func consentBack(_ valid: ValidatedRequest) -> (href: String, label: String) {
        ("/oauth/authorize?" + FormFields.encode(valid.context.requestFields), "Back to the approval page")
    }

    func signIn(_ valid: ValidatedRequest, fields: [String: String], cookies: [String: String], address: String?) async -> Response {
        guard let expected = cookies[Self.csrfCookie], let presented = fields["csrf_token"],
              constantTimeEquals(Array(expected.utf8), Array(presented.utf8))
        else { return csrfRefused(back: consentBack(valid)) }
        let username = (fields["username"] ?? "").trimmingCharacters(in: .whitespaces)
        switch await checkSignIn(username: username, password: fields["password"] ?? "", address: address) {
        case .refused(let message, let status):
            return signInPage(valid, cookies: cookies, error: message, username: username, status: status)
        case .signedIn(let cookie):
            return Self.redirect(
                to: "/oauth/authorize?" + FormFields.encode(valid.context.requestFields), status: .seeOther, cookies: [cookie])
        }
    }

    enum SignInOutcome {
        case refused(String, HTTPResponse.Status)
        /// The `Set-Cookie` value of the new sign-in.
        case signedIn(String)
    }

    /// The sign-in form of the credentials and account pages (`HTMLPage.signInForm`): nil when its CSRF token does
    /// not match the page's cookie, else `checkSignIn` of the name and password it carries.
    func pageSignIn(_ fields: [String: String], cookies: [String: String], address: String?) async -> SignInOutcome? {
        guard let expected = cookies[Self.csrfCookie], let presented = fields["csrf_token"],
              constantTimeEquals(Array(expected.utf8), Array(presented.utf8))
        else { return nil }
        return await checkSignIn(username: fields["username"] ?? "", password: fields["password"] ?? "", address: address)
    }

    /// Checks a user name and password (throttled per account and address, audited) and records a sign-in.
    func checkSignIn(username rawName: String, password: String, address: String?) async -> SignInOutcome {
        let username = rawName.trimmingCharacters(in: .whitespaces)
        let account = [username]
        let origin = [address ?? "unknown"]
        let now = clock()
        let waits = [accountThrottle.withLock { $0.delay(for: account, now: now) }, addressThrottle.withLock { $0.delay(for: origin, now: now) }]
        if let wait = waits.compactMap({ $0 }).max() {
            record(.signInFailed, "sign-in of \(username) refused: too many failed attempts", [
                .user: username, .remoteAddress: address ?? "", .reason: "throttled",
            ])
            return .refused("Too many failed sign-ins. Try again in \(Int(wait.rounded(.up))) seconds.", .tooManyRequests)
        }
        let user = try? await store.user(named: username)
        let verified = await Self.verifyPassword(password, hash: user?.passwordHash)
        guard let user, verified else {
            accountThrottle.withLock { $0.recordFailure(account, now: now) }
            addressThrottle.withLock { $0.recordFailure(origin, now: now) }
            record(.signInFailed, "failed sign-in for \(username.isEmpty ? "(no name)" : username)", [
                .user: username, .remoteAddress: address ?? "",
                .reason: user == nil ? "unknown user" : (user?.passwordHash == nil ? "no password set" : "wrong password"),
            ])
            return .refused("The user name or password is not correct.", .unauthorized)
        }
        accountThrottle.withLock { $0.recordSuccess(username) }
        let session = OpaqueToken.generate(prefix: "ssi_")
        let lifetime = settings().signInLifetime
        do {
            try await store.createSignIn(
                hash: session.hash, user: user.name, expiresAt: now.addingTimeInterval(TimeInterval(lifetime)), address: address, now: now)
        } catch {
            return .refused("The sign-in could not be stored.", .internalServerError)
        }
        record(.signIn, "\(user.name) signed in", [.user: user.name, .remoteAddress: address ?? ""])
        return .signedIn(cookie(Self.signInCookie, value: session.token, maxAge: lifetime))
    }

    /// Checks a password with scrypt off the request's thread; an unknown user costs the same time.
    static func verifyPassword(_ password: String, hash: String?) async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let encoded = hash ?? dummyHash
                let matches = (try? PasswordHasher.verify(password, against: encoded)) ?? false
                continuation.resume(returning: hash != nil && matches)
            }
        }
    }

    /// A hash no password matches, so that unknown users take as long as known ones.
    static let dummyHash: String = (try? PasswordHasher().hash(SecureRandom.token(bytes: 16))) ?? ""

    /// The consent form's CSRF token: bound to the sign-in cookie, so another site cannot forge it.
    static func consentCSRF(signInToken: String) -> String {
        Base64URL.encode(Digest.hmacSHA256(key: Array(signInToken.utf8), data: Array("sentinel-consent".utf8)))
    }

    // MARK: - Consent

    func consentPage(_ valid: ValidatedRequest, user: User, signInToken: String) async -> Response {
        if let refusal = await accessRefusal(valid, user: user) { return refusal }
        let personal = await credentialRows(await personalServers(valid.request.endpoint), user: user)
        return Self.html(
            ConsentPages.consent(
                valid.context, user: user, csrf: Self.consentCSRF(signInToken: signInToken), durations: settings().durations,
                personal: personal))
    }

    /// A page telling a signed-in user they are not on the endpoint's access list, or nil when they are.
    func accessRefusal(_ valid: ValidatedRequest, user: User) async -> Response? {
        let access = (try? await store.access(endpoint: valid.request.endpoint)) ?? EndpointAccess()
        guard !access.admits(user: user.name, memberOf: user.groups) else { return nil }
        return Self.html(
            ConsentPages.problem(
                title: "Access not permitted",
                message: "Your account \(HTMLPage.userLabel(user)) is not allowed to use endpoint \(valid.request.endpoint).",
                detail: "Ask an administrator to run: sentinelctl endpoint allow \(valid.request.endpoint) --user \(user.name)"),
            status: .forbidden)
    }

    func approve(_ valid: ValidatedRequest, user: User, fields: [String: String]) async -> Response {
        if let refusal = await accessRefusal(valid, user: user) { return refusal }
        let durations = settings().durations
        guard let seconds = fields["duration"].flatMap(Int.init), let duration = durations.validate(seconds) else {
            return Self.html(
                ConsentPages.problem(
                    title: "Choose an access duration",
                    message: "Pick one of the offered durations (\(durations.choices.map(AccessDurations.label).joined(separator: ", "))).",
                    back: consentBack(valid)),
                status: .badRequest)
        }
        // Every personal server of the endpoint must be connected before the client gets a code.
        let personal = await personalServers(valid.request.endpoint)
        let states = (try? await store.credentialStates(user: user.name)) ?? [:]
        if personal.contains(where: { states[$0.name] != .connected }) {
            return await connectPage(valid, user: user, csrf: fields["csrf_token"] ?? "", duration: duration)
        }
        let now = clock()
        let code = OpaqueToken.generate(prefix: "sac_")
        let grant: Grant
        do {
            grant = try await store.createGrant(
                id: "sg_" + SecureRandom.token(bytes: 12), user: user.name, clientID: valid.client.id,
                endpoint: valid.request.endpoint, duration: TimeInterval(duration), scope: valid.request.scope,
                code: PendingCode(
                    hash: code.hash, codeChallenge: valid.request.codeChallenge, redirectURI: valid.request.redirectURI,
                    expiresAt: now.addingTimeInterval(Self.codeLifetime)),
                now: now)
        } catch {
            logger.error("cannot store a grant: \(error)")
            return Self.html(
                ConsentPages.problem(
                    title: "Approval failed", message: "The approval could not be stored, so the application has no access yet. Please try again.",
                    back: consentBack(valid)),
                status: .internalServerError)
        }
        record(.grantCreated, "\(user.name) authorized \(valid.client.name) on endpoint \(grant.endpoint) for \(AccessDurations.label(duration))", [
            .grant: grant.id, .user: user.name, .endpoint: grant.endpoint, .client: valid.client.name,
            .clientID: valid.client.id, .durationSeconds: String(duration), .expires: ISO8601DateFormatter().string(from: grant.expiresAt),
            .redirectHost: valid.context.redirectHost, .scope: grant.scope,
        ])
        return redirectToClient(valid.request, [("code", code.token)])
    }

    /// Sends the browser back to the client with `parameters`, `state` and `iss` (RFC 9207).
    func redirectToClient(_ request: AuthorizationRequest, _ parameters: [(String, String)]) -> Response {
        var all = parameters
        if let state = request.state { all.append(("state", state)) }
        all.append(("iss", settings().issuer))
        return Self.redirect(to: FormFields.appending(all, to: request.redirectURI), status: .seeOther)
    }
}
