public import Foundation
public import Logging
public import SentinelCore
import SentinelCrypto
public import SentinelStore
public import SentinelUpstream

/// The credentials Sentinel holds for upstream servers: pasted bearer tokens and OAuth tokens it keeps fresh.
///
/// Personal credentials belong to one user and are only ever used for that user's calls; a shared server has one
/// credential (owner nil). Every secret is stored sealed (see `Store.saveCredential`). Changes are audited as
/// `credential-changed` with `SENTINEL_CHANGE` connected, replaced, refreshed, expired or removed.
public final class UpstreamCredentials: UpstreamCredentialSource {
    let store: Store
    let audit: any AuditSink
    let logger: Logger
    let settings: @Sendable () -> AuthSettings
    let oauth: UpstreamOAuthClient
    let clock: @Sendable () -> Date
    let serializer = KeyedSerializer()
    /// OAuth access tokens are refreshed when they expire within this margin.
    let refreshMargin: TimeInterval = 60
    static let flowLifetime: TimeInterval = 600

    public init(
        store: Store, audit: any AuditSink, logger: Logger, oauth: UpstreamOAuthClient = UpstreamOAuthClient(),
        clock: @escaping @Sendable () -> Date = { Date() }, settings: @escaping @Sendable () -> AuthSettings
    ) {
        self.store = store
        self.audit = audit
        self.logger = logger
        self.oauth = oauth
        self.clock = clock
        self.settings = settings
    }

    /// Where users connect or re-authenticate their personal servers.
    public var credentialsPage: String { settings().issuer + "/oauth/credentials" }
    /// The credentials page at `server`'s section: the URL a client's URL-mode elicitation opens.
    public func connectPage(for server: String) -> String { credentialsPage + "#server-" + server }
    var callbackURL: String { settings().issuer + "/oauth/upstream/callback" }

    // MARK: - Using credentials

    /// The token to send to `server` for `owner` (nil: the shared credential), refreshed first when it is about to
    /// expire. Throws `UpstreamCredentialRequired` when there is none or it expired.
    public func token(for server: Server, owner: String?) async throws -> String {
        guard let credential = try await store.credential(server: server.name, owner: owner) else {
            throw missing(server, owner: owner)
        }
        guard credential.state == .connected else { throw expired(server, owner: owner) }
        if credential.kind == .oauth, let expires = credential.expiresAt, expires.timeIntervalSince(clock()) < refreshMargin {
            return try await refresh(server, owner: owner, force: false).accessToken
        }
        return credential.accessToken
    }

    /// The upstream refused the token whose SHA-256 is `fingerprint`: refresh an OAuth credential once (unless another
    /// call already replaced that token). Returns whether a retry may succeed.
    public func rejected(server: Server, owner: String?, fingerprint: String?) async throws -> Bool {
        guard let credential = try await store.credential(server: server.name, owner: owner), credential.kind == .oauth,
              credential.refreshToken != nil
        else {
            if (try? await store.credential(server: server.name, owner: owner)) != nil {
                try await store.markCredentialExpired(server: server.name, owner: owner)
                record("expired", server: server.name, owner: owner, detail: "the server refused the token")
            }
            throw expired(server, owner: owner)
        }
        _ = try await refresh(server, owner: owner, force: true, unless: fingerprint)
        return true
    }

    /// Refreshes an OAuth credential (one refresh per credential at a time); marks it expired when the refresh fails.
    func refresh(_ server: Server, owner: String?, force: Bool, unless rejected: String? = nil) async throws -> UpstreamCredential {
        try await serializer.run("\(server.name)\u{0}\(owner ?? "")") { [self] in
            guard let current = try await store.credential(server: server.name, owner: owner), current.state == .connected else {
                throw expired(server, owner: owner)
            }
            let due = current.expiresAt.map { $0.timeIntervalSince(clock()) < refreshMargin } ?? false
            if !force && !due { return current }  // another caller refreshed it meanwhile
            // Another call already replaced the token the upstream refused.
            if force, let rejected, Digest.sha256Hex(current.accessToken) != rejected { return current }
            guard let refreshToken = current.refreshToken, let registration = try await registration(for: server, discover: false) else {
                try await store.markCredentialExpired(server: server.name, owner: owner)
                record("expired", server: server.name, owner: owner, detail: "no refresh token")
                throw expired(server, owner: owner)
            }
            do {
                let tokens = try await oauth.refresh(refreshToken, registration)
                let now = clock()
                let fresh = UpstreamCredential(
                    server: server.name, owner: owner, kind: .oauth, accessToken: tokens.accessToken,
                    refreshToken: tokens.refreshToken ?? refreshToken, expiresAt: tokens.expiresIn.map { now.addingTimeInterval(TimeInterval($0)) },
                    tokenEndpoint: registration.tokenEndpoint, updatedAt: now, connectedAt: current.connectedAt)
                try await store.saveCredential(fresh)
                record("refreshed", server: server.name, owner: owner, detail: nil)
                return fresh
            } catch let error as UpstreamOAuthError {
                logger.warning("refreshing the credential of \(owner ?? "the shared account") for \(server.name) failed: \(error)")
                try await store.markCredentialExpired(server: server.name, owner: owner)
                record("expired", server: server.name, owner: owner, detail: error.description)
                throw expired(server, owner: owner)
            }
        }
    }

    public func hasCredential(server: String, owner: String?) async throws -> Bool {
        try await store.credential(server: server, owner: owner) != nil
    }

    public func connectedOwners(server: String) async throws -> [String] {
        try await store.credentialStates(server: server).filter { $0.value == .connected }.map(\.key)
    }

    public func missing(_ server: Server, owner: String?) -> UpstreamCredentialRequired {
        if owner == nil && server.credentialMode == .personal {
            return UpstreamCredentialRequired(
                "Server \(server.name) acts on behalf of each user, but this call has no signed-in user.")
        }
        if owner == nil {
            return UpstreamCredentialRequired(
                "Server \(server.name) has no shared credential yet; an administrator must connect it (sentinelctl server login \(server.name)).")
        }
        return UpstreamCredentialRequired(
            "Server \(server.name) needs your own credentials. Connect it at \(credentialsPage), then try again.",
            server: server.name, connectURL: connectPage(for: server.name))
    }

    func expired(_ server: Server, owner: String?) -> UpstreamCredentialRequired {
        if owner == nil {
            return UpstreamCredentialRequired(
                "The shared credential of server \(server.name) expired; an administrator must connect it again (sentinelctl server login \(server.name)).")
        }
        return UpstreamCredentialRequired(
            "Your credentials for server \(server.name) expired or were refused. Re-authenticate at \(credentialsPage), then try again.",
            server: server.name, connectURL: connectPage(for: server.name))
    }

    // MARK: - Connecting

    /// How long checking a pasted token with its server may take.
    public static let verificationTimeout: Duration = .seconds(10)

    /// Stores a pasted bearer token. With a `verifier`, the server is asked first (a `tools/list` with the token): a
    /// refused token is not saved, and one the server could not be asked about is saved as not verified.
    /// Throws `UpstreamOAuthError` for a token that is not one line of at most 8192 characters.
    @discardableResult
    public func connectBearer(
        server: Server, owner: String?, token: String, verifier: (any CredentialVerifying)? = nil
    ) async throws -> PastedTokenOutcome {
        let trimmed = token.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 8192, !trimmed.contains("\n") else {
            throw UpstreamOAuthError("the token must be one line of at most 8192 characters")
        }
        var outcome = PastedTokenOutcome.saved
        if let verifier {
            switch await verifier.verify(server, token: trimmed, timeout: Self.verificationTimeout) {
            case .accepted:
                break
            case .refused(let reason):
                logger.notice("\(server.name) refused the token \(owner ?? "the administrator") pasted: \(reason)")
                return .refused(reason: reason)
            case .unreachable(let reason):
                logger.notice("cannot check the token \(owner ?? "the administrator") pasted for \(server.name): \(reason)")
                outcome = .savedNotVerified(reason: reason)
            }
        }
        let existed = try await store.credential(server: server.name, owner: owner) != nil
        try await store.saveCredential(
            UpstreamCredential(
                server: server.name, owner: owner, kind: .bearer, accessToken: trimmed, updatedAt: clock(),
                verified: outcome == .saved))
        record(
            existed ? "replaced" : "connected", server: server.name, owner: owner,
            detail: outcome == .saved ? "bearer token" : "bearer token, not verified (the server could not be reached)")
        return outcome
    }

    /// Starts the upstream OAuth flow for `owner`; returns the URL to send the browser to. The callback returns the
    /// browser to `returnTo` (a path of Sentinel's).
    public func beginOAuth(server: Server, owner: String?, returnTo: String) async throws -> String {
        guard let registration = try await registration(for: server, discover: true) else {
            throw UpstreamOAuthError("\(server.name) has no OAuth configuration")
        }
        let state = SecureRandom.token(bytes: 24)
        let verifier = SecureRandom.token(bytes: 48)
        let challenge = Base64URL.encode(Digest.sha256(Array(verifier.utf8)))
        try await store.createUpstreamAuthorization(
            stateHash: OpaqueToken.hash(state),
            PendingUpstreamAuthorization(server: server.name, user: owner, codeVerifier: verifier, returnTo: returnTo),
            expiresAt: clock().addingTimeInterval(Self.flowLifetime), now: clock())
        return oauth.authorizationURL(registration, state: state, codeChallenge: challenge)
    }

    /// What the upstream's authorization endpoint sent back to Sentinel's callback.
    public struct CallbackAnswer: Sendable {
        public var state: String
        public var code: String?
        /// `error` (RFC 6749 section 4.1.2.1), when the upstream refused or failed.
        public var error: String?
        public var errorDescription: String?
        /// RFC 9207 `iss`.
        public var issuer: String?

        public init(state: String, code: String?, error: String?, errorDescription: String?, issuer: String?) {
            self.state = state
            self.code = code
            self.error = error
            self.errorDescription = errorDescription
            self.issuer = issuer
        }
    }

    /// Finishes an upstream OAuth flow from the callback's answer; returns the flow (for its `returnTo`).
    /// A personal flow completes only in the browser of the user who started it (`signedInUser`), so nobody can
    /// plant their upstream account in another user's credentials, or take another's.
    /// The answer's `iss`, when present, must name the server's own authorization server (all upstreams share one
    /// callback, so a mix-up would otherwise go unnoticed). Every failure throws `UpstreamSignInFailure`, carrying
    /// the flow when its state was known; the flow is used up either way.
    public func completeOAuth(_ answer: CallbackAnswer, signedInUser: String?) async throws(UpstreamSignInFailure)
        -> PendingUpstreamAuthorization
    {
        let pending: PendingUpstreamAuthorization
        do {
            guard let found = try await store.takeUpstreamAuthorization(stateHash: OpaqueToken.hash(answer.state), now: clock()) else {
                throw UpstreamSignInFailure(.unknownState, flow: nil, detail: "no flow has this state (forged, expired or used)")
            }
            pending = found
        } catch let failure as UpstreamSignInFailure {
            throw failure
        } catch {
            throw UpstreamSignInFailure(.unknownState, flow: nil, detail: "cannot read the flow: \(error)")
        }
        if let owner = pending.user, owner != signedInUser {
            if let signedInUser {
                throw UpstreamSignInFailure(
                    .otherUser(signedInUser), flow: pending, detail: "started by \(owner), answered in the browser of \(signedInUser)")
            }
            throw UpstreamSignInFailure(.notSignedIn, flow: pending, detail: "started by \(owner), answered in a browser signed in to no one")
        }
        do {
            return try await finish(pending, answer)
        } catch let failure as UpstreamSignInFailure {
            throw failure
        } catch {
            throw UpstreamSignInFailure(.tokenRefused, flow: pending, detail: "\(error)")
        }
    }

    private func finish(_ pending: PendingUpstreamAuthorization, _ answer: CallbackAnswer) async throws -> PendingUpstreamAuthorization {
        let server = try await store.server(named: pending.server)
        guard let registration = try await registration(for: server, discover: false) else {
            throw UpstreamSignInFailure(.notConfigured, flow: pending, detail: "\(server.name) has no OAuth configuration")
        }
        if let issuer = answer.issuer, issuer != registration.issuer {
            throw UpstreamSignInFailure(
                .wrongIssuer(issuer), flow: pending,
                detail: "the answer came from \(issuer), not from \(server.name)'s authorization server \(registration.issuer)")
        }
        if let error = answer.error {
            let detail = "the authorization endpoint answered \(error)" + (answer.errorDescription.map { ": \($0)" } ?? "")
            throw UpstreamSignInFailure(error == "access_denied" ? .denied : .upstreamError(error), flow: pending, detail: detail)
        }
        guard let code = answer.code else {
            throw UpstreamSignInFailure(.incomplete, flow: pending, detail: "the answer has neither a code nor an error")
        }
        let tokens: UpstreamTokens
        do {
            tokens = try await oauth.exchange(code: code, verifier: pending.codeVerifier, registration)
        } catch {
            throw UpstreamSignInFailure(.tokenRefused, flow: pending, detail: "\(error)")
        }
        let now = clock()
        let existed = try await store.credential(server: server.name, owner: pending.user) != nil
        try await store.saveCredential(
            UpstreamCredential(
                server: server.name, owner: pending.user, kind: .oauth, accessToken: tokens.accessToken,
                refreshToken: tokens.refreshToken, expiresAt: tokens.expiresIn.map { now.addingTimeInterval(TimeInterval($0)) },
                tokenEndpoint: registration.tokenEndpoint, updatedAt: now))
        record(existed ? "replaced" : "connected", server: server.name, owner: pending.user, detail: "OAuth at \(registration.issuer)")
        return pending
    }

    /// Deletes a credential. `fields` join its audit entry (who did it, from where).
    public func disconnect(server: String, owner: String?, fields: [AuditField: String] = [:]) async throws {
        if try await store.deleteCredential(server: server, owner: owner) {
            record("removed", server: server, owner: owner, detail: nil, fields: fields)
        }
    }

    /// Deletes the shared credential (`shared`) or every user's credential of a server whose mode changed.
    /// The OAuth registration (discovered for the server's old URL) goes too.
    public func discardAll(server: String, shared: Bool) async throws {
        try await store.saveOAuthRegistration(server: server, nil)
        let owners: [String?] = shared
            ? (try await store.credential(server: server, owner: nil) == nil ? [] : [nil])
            : try await store.credentialStates(server: server).keys.sorted()
        try await store.deleteCredentials(server: server, shared: shared)
        for owner in owners {
            record("removed", server: server, owner: owner, detail: "the server's credential mode changed")
        }
    }

    /// The server's OAuth registration: stored, or discovered (and registered by DCR) when `discover` is set.
    func registration(for server: Server, discover: Bool) async throws -> UpstreamOAuthRegistration? {
        guard server.credentialKind == .oauth, let url = server.url else { return nil }
        if let stored = try await store.oauthRegistration(server: server.name),
           let decoded = try? JSONDecoder().decode(UpstreamOAuthRegistration.self, from: Data(stored.utf8)),
           decoded.redirectURI == callbackURL, decoded.clientID == (server.oauthClientID ?? decoded.clientID)
        {
            return decoded
        }
        guard discover else { return nil }
        let configured = server.oauthClientID.map { (id: $0, secret: server.oauthClientSecret) }
        let registration = try await oauth.discover(serverURL: url, redirectURI: callbackURL, configuredClient: configured)
        let encoded = String(decoding: try JSONEncoder().encode(registration), as: UTF8.self)
        try await store.saveOAuthRegistration(server: server.name, encoded)
        logger.info("OAuth for \(server.name): authorization server \(registration.issuer), client \(registration.clientID)")
        return registration
    }

    func record(_ change: String, server: String, owner: String?, detail: String?, fields extra: [AuditField: String] = [:]) {
        var fields = extra.merging([.server: server, .change: change, .credentialOwner: owner ?? "(shared)"]) { $1 }
        if let owner { fields[.user] = owner }
        if let detail { fields[.detail] = detail }
        audit.record(
            AuditEvent(
                kind: .credentialChanged,
                // The owner-less credential is a shared server's, or a personal server's catalog credential.
                message: owner.map { "credential of \($0) for \(server) \(change)" } ?? "\(server)'s own credential \(change)",
                fields: fields))
    }
}
