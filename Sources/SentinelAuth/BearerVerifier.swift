public import Foundation
import SentinelCore
public import SentinelGateway
public import SentinelStore
import Synchronization

/// Checks bearer tokens on every MCP request, with a memory cache over the store.
///
/// A cached answer is used for at most `cacheLifetime`; revocations invalidate it at once
/// (`GrantRevocations.revoke(grantIDs:by:)` calls `invalidate(grantIDs:)`), so a revoked token
/// fails on its next request.
/// The grant's "last used" time and address are written at most once a minute per grant.
public final class BearerVerifier: AccessVerifier {
    struct Entry {
        var grant: AccessTokenGrant
        var cachedAt: Date
    }

    struct State {
        var entries: [String: Entry] = [:]
        var lastTouched: [String: Date] = [:]
        var generation = 0
    }

    let store: Store
    let cacheLifetime: TimeInterval
    let clock: @Sendable () -> Date
    private let state = Mutex(State())

    public init(store: Store, cacheLifetime: TimeInterval = 30, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.cacheLifetime = cacheLifetime
        self.clock = clock
    }

    public func verify(bearer: String?, endpoint: String, address: @Sendable () -> String?) async -> AccessCheck {
        guard let bearer else { return .refused(nil) }
        let now = clock()
        let hash = OpaqueToken.hash(bearer)
        let (cached, generation) = state.withLock { state in
            (state.entries[hash].flatMap { now.timeIntervalSince($0.cachedAt) < cacheLifetime ? $0.grant : nil }, state.generation)
        }
        var token = cached
        if token == nil {
            do {
                token = try await store.accessToken(hash: hash, now: now)
            } catch {
                return .refused(OAuthError(.temporarilyUnavailable, "the token store cannot be read"))
            }
            if let token {
                state.withLock { state in
                    guard state.generation == generation else { return }  // a revocation raced this lookup
                    if state.entries.count > 50_000 { state.entries.removeAll() }
                    state.entries[hash] = Entry(grant: token, cachedAt: now)
                }
            }
        }
        guard let token, token.expiresAt > now else {
            return .refused(OAuthError(.invalidToken, "the access token is invalid, expired or revoked"))
        }
        guard token.endpoint == endpoint else {
            return .refused(OAuthError(.invalidToken, "the access token was issued for another endpoint"))
        }
        guard token.scope.split(separator: " ").contains(Substring(AuthorizationRequest.requiredScope)) else {
            return .refused(OAuthError(.insufficientScope, "the access token lacks the '\(AuthorizationRequest.requiredScope)' scope"))
        }
        await touch(token.grantID, address: address, now: now)
        return .granted(token)
    }

    private func touch(_ grantID: String, address: @Sendable () -> String?, now: Date) async {
        let due = state.withLock { state -> Bool in
            if let last = state.lastTouched[grantID], now.timeIntervalSince(last) < 60 { return false }
            if state.lastTouched.count > 50_000 { state.lastTouched.removeAll() }
            state.lastTouched[grantID] = now
            return true
        }
        if due { try? await store.touchGrant(id: grantID, address: address(), now: now) }
    }

    public func isActive(grantID: String) async -> Bool {
        ((try? await store.activeGrantIDs(among: [grantID], now: clock())) ?? []).contains(grantID)
    }

    /// Forgets cached tokens of `grantIDs`.
    public func invalidate(grantIDs: Set<String>) {
        state.withLock { state in
            state.generation += 1
            state.entries = state.entries.filter { !grantIDs.contains($0.value.grant.grantID) }
        }
    }

    /// Forgets one access token (RFC 7009 revocation of an access token).
    public func invalidate(tokenHash: String) {
        state.withLock { state in
            state.generation += 1
            state.entries[tokenHash] = nil
        }
    }
}
