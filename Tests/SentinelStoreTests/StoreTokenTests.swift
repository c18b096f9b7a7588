import Foundation
import GRDB
import Testing
@testable import SentinelStore
import SentinelCore

struct StoreTokenTests {
    static let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))

    static func client(_ id: String = "c1") -> OAuthClient {
        OAuthClient(id: id, name: "Claude", kind: .dynamic, redirectURIs: ["https://claude.ai/cb"], createdAt: now, updatedAt: now)
    }

    static func prepared(_ store: Store) async throws -> Grant {
        _ = try await store.addUser(Fixture.user("alice"))
        _ = try await store.createEndpoint(Fixture.endpoint("eng"))
        try await store.saveClient(client())
        return try await store.createGrant(
            id: "g1", user: "alice", clientID: "c1", endpoint: "eng", duration: 7 * 86_400, scope: "mcp",
            code: PendingCode(hash: "code-hash", codeChallenge: "challenge", redirectURI: "https://claude.ai/cb", expiresAt: now.addingTimeInterval(60)),
            now: now)
    }

    @Test func aCodeIsRedeemedOnceAndItsReuseRevokesTheGrant() async throws {
        try await withStore { store in
            let grant = try await Self.prepared(store)
            #expect(grant.expiresAt == Self.now.addingTimeInterval(7 * 86_400))
            guard case .redeemed(let redeemed, let code?) = try await store.redeem(hash: "code-hash", kind: "code", clientID: "c1", now: Self.now)
            else { Issue.record("code not redeemed"); return }
            #expect(redeemed.id == "g1" && code.codeChallenge == "challenge" && code.redirectURI == "https://claude.ai/cb")
            try await store.issueTokens(
                TokenHashes(access: "a1", accessExpiresAt: Self.now.addingTimeInterval(3600), refresh: "r1"), grant: redeemed, now: Self.now)
            #expect(try await store.accessToken(hash: "a1", now: Self.now)?.endpoint == "eng")
            guard case .reused(let revoked) = try await store.redeem(hash: "code-hash", kind: "code", clientID: "c1", now: Self.now)
            else { Issue.record("reuse not detected"); return }
            #expect(revoked.revokedAt == Self.now)
            #expect(try await store.accessToken(hash: "a1", now: Self.now) == nil)
        }
    }

    @Test func anotherClientsOrAnExpiredCodeIsInvalid() async throws {
        try await withStore { store in
            _ = try await Self.prepared(store)
            try await store.saveClient(Self.client("c2"))
            guard case .invalid = try await store.redeem(hash: "code-hash", kind: "code", clientID: "c2", now: Self.now) else {
                Issue.record("another client redeemed the code"); return
            }
            guard case .invalid = try await store.redeem(hash: "code-hash", kind: "code", clientID: "c1", now: Self.now.addingTimeInterval(61)) else {
                Issue.record("an expired code was redeemed"); return
            }
            guard case .invalid = try await store.redeem(hash: "code-hash", kind: "refresh", clientID: "c1", now: Self.now) else {
                Issue.record("a code was redeemed as a refresh token"); return
            }
        }
    }

    @Test func refreshTokensRotateAndAReplayRevokesEverything() async throws {
        try await withStore { store in
            let grant = try await Self.prepared(store)
            try await store.issueTokens(TokenHashes(access: "a1", accessExpiresAt: Self.now.addingTimeInterval(3600), refresh: "r1"), grant: grant, now: Self.now)
            guard case .redeemed = try await store.redeem(hash: "r1", kind: "refresh", clientID: "c1", now: Self.now) else {
                Issue.record("refresh failed"); return
            }
            try await store.issueTokens(TokenHashes(access: "a2", accessExpiresAt: Self.now.addingTimeInterval(3600), refresh: "r2"), grant: grant, now: Self.now)
            guard case .reused = try await store.redeem(hash: "r1", kind: "refresh", clientID: "c1", now: Self.now) else {
                Issue.record("replay not detected"); return
            }
            #expect(try await store.accessToken(hash: "a2", now: Self.now) == nil)
            guard case .invalid = try await store.redeem(hash: "r2", kind: "refresh", clientID: "c1", now: Self.now) else {
                Issue.record("a revoked grant refreshed"); return
            }
        }
    }

    @Test func accessTokensExpireWithTheirGrant() async throws {
        try await withStore { store in
            let grant = try await Self.prepared(store)
            try await store.issueTokens(
                TokenHashes(access: "a1", accessExpiresAt: Self.now.addingTimeInterval(30 * 86_400), refresh: "r1"), grant: grant, now: Self.now)
            let token = try #require(try await store.accessToken(hash: "a1", now: Self.now))
            #expect(token.expiresAt == grant.expiresAt)
            #expect(try await store.accessToken(hash: "a1", now: grant.expiresAt) == nil)
            #expect(try await store.activeGrantIDs(among: ["g1", "nope"], now: Self.now) == ["g1"])
            #expect(try await store.deleteExpiredCredentials(now: grant.expiresAt.addingTimeInterval(1)) == 3)
        }
    }

    @Test func neverRedeemedGrantsAndLongUnusedClientsAreCleanedUp() async throws {
        try await withStore { store in
            _ = try await Self.prepared(store)  // g1 by c1: its code is never redeemed
            try await store.saveClient(Self.client("c2"))
            #expect(try await store.deleteExpiredCredentials(now: Self.now.addingTimeInterval(30)) == 0)
            // Once the code expired unredeemed, the grant goes with it.
            #expect(try await store.deleteExpiredCredentials(now: Self.now.addingTimeInterval(61)) == 1)  // its code goes by cascade
            #expect(try await store.grants(matching: GrantFilter(includeInactive: true)).isEmpty)
            // Clients without grants go after 30 days.
            #expect(try await store.client(id: "c2") != nil)
            _ = try await store.deleteExpiredCredentials(now: Self.now.addingTimeInterval(31 * 86_400))
            #expect(try await store.client(id: "c1") == nil)
            #expect(try await store.client(id: "c2") == nil)
        }
    }

    @Test func denyingAUserRevokesOnlySessionsTheListNoLongerAdmits() async throws {
        try await withStore { store in
            _ = try await Self.prepared(store)
            _ = try await store.addUser(User(name: "carol", groups: ["oncall"], createdAt: Self.now, updatedAt: Self.now))
            _ = try await store.allow([.user("alice"), .group("oncall")], endpoint: "eng")
            _ = try await store.createGrant(
                id: "g2", user: "carol", clientID: "c1", endpoint: "eng", duration: 86_400, scope: "mcp",
                code: PendingCode(hash: "code2", codeChallenge: "c", redirectURI: "https://claude.ai/cb", expiresAt: Self.now.addingTimeInterval(60)),
                now: Self.now)
            let (access, revoked) = try await store.deny([.user("alice")], endpoint: "eng", now: Self.now)
            #expect(access == EndpointAccess(users: [], groups: ["oncall"]))
            #expect(revoked.map(\.id) == ["g1"])
            #expect(try await store.activeGrantIDs(among: ["g1", "g2"], now: Self.now) == ["g2"])
            await #expect(throws: StoreError.notFound(kind: "user", name: "ghost")) {
                try await store.allow([.user("ghost")], endpoint: "eng")
            }
            let carol = try await store.changeGroups(user: "carol", add: ["eng"], remove: ["oncall"])
            #expect(carol.groups == ["eng"])
        }
    }

    @Test func signInsAreFoundByHashUntilTheyExpire() async throws {
        try await withStore { store in
            _ = try await Self.prepared(store)
            try await store.createSignIn(hash: "s1", user: "alice", expiresAt: Self.now.addingTimeInterval(60), address: "127.0.0.1", now: Self.now)
            #expect(try await store.signedInUser(hash: "s1", now: Self.now)?.name == "alice")
            #expect(try await store.signedInUser(hash: "s1", now: Self.now.addingTimeInterval(61)) == nil)
            try await store.deleteSignIn(hash: "s1")
            #expect(try await store.signedInUser(hash: "s1", now: Self.now) == nil)
        }
    }
}
