public import Foundation
public import SentinelCore

/// Grants (a user let one client use one endpoint) and the tokens issued for them. Tokens are kept only as hashes.
public protocol GrantStore: Sendable {
    /// Grants matching `filter` (active at `now` unless `includeInactive`), newest first (ties by id).
    func grants(matching filter: GrantFilter, now: Date) async throws -> [Grant]
    /// Revokes the grants matching `filter` that are active at `now`, deleting their tokens, in one transaction;
    /// returns them with `revokedAt` = `now`. A filter naming an unknown user, endpoint or grant id throws `notFound`.
    func revokeGrants(matching filter: GrantFilter, now: Date) async throws -> [Grant]
    /// Creates a grant lasting `duration` from `now` with its authorization code, atomically. The grant id and
    /// the code hash must be new.
    func createGrant(
        id: String, user: String, clientID: String, endpoint: String, duration: TimeInterval, scope: String,
        code: PendingCode, now: Date
    ) async throws -> Grant
    /// Redeems a one-time token (`kind` `code` or `refresh`) issued to `clientID`, atomically: two concurrent
    /// redemptions of one token yield one `.redeemed`. A token used before revokes its grant (`.reused`). For a
    /// code, `check` runs first; when it throws, the error propagates and the code stays unused.
    func redeem(
        hash: String, kind: String, clientID: String, now: Date, check: @Sendable (PendingCode) throws -> Void
    ) async throws -> Redemption
    /// Stores an access token (expiring at the earlier of its own and the grant's expiry) and a refresh token
    /// (expiring with the grant).
    func issueTokens(_ tokens: TokenHashes, grant: Grant, now: Date) async throws
    /// The grant behind an access token unexpired at `now` whose grant is active, else nil.
    func accessToken(hash: String, now: Date) async throws -> AccessTokenGrant?
    /// RFC 7009: forgets an access token, or revokes the whole grant of a refresh token (returned). Tokens of
    /// other clients and unknown tokens are left alone (nil).
    func revokeToken(hash: String, clientID: String, now: Date) async throws -> Grant?
    /// Records when and from where (nil: keep the last address) a grant was last used; an unknown id is no error.
    func touchGrant(id: String, address: String?, now: Date) async throws
    /// Which of `ids` are grants active at `now`.
    func activeGrantIDs(among ids: [String], now: Date) async throws -> Set<String>
    /// Deletes what has run out at `now`: expired tokens, sign-ins and upstream OAuth flows, grants whose code
    /// expired unredeemed, and registered (not preregistered) clients without grants unused for
    /// `unusedClientAge`. Returns how many records went.
    @discardableResult
    func deleteExpiredCredentials(now: Date, unusedClientAge: TimeInterval) async throws -> Int
}
