import Foundation
import Logging
import Testing
@testable import SentinelAuth
import SentinelCore
@testable import SentinelGateway
import SentinelStore

struct BearerVerifierTests {
    static let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))

    /// A store with alice's grant `g1` on `eng` (scope `scope`) holding access token `token`.
    static func withGrant(scope: String = "mcp", _ body: (Store, String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sentinel-auth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Store(path: directory.appendingPathComponent("sentinel.sqlite").path)
        _ = try await store.addUser(User(name: "alice", createdAt: now, updatedAt: now))
        for name in ["eng", "ops"] { _ = try await store.createEndpoint(Endpoint(name: name, createdAt: now, updatedAt: now)) }
        try await store.saveClient(OAuthClient(id: "c1", name: "Claude", kind: .dynamic, redirectURIs: [], createdAt: now, updatedAt: now))
        let grant = try await store.createGrant(
            id: "g1", user: "alice", clientID: "c1", endpoint: "eng", duration: 86_400, scope: scope,
            code: PendingCode(hash: "code", codeChallenge: "x", redirectURI: "https://a/cb", expiresAt: now.addingTimeInterval(60)), now: now)
        let token = OpaqueToken.generate(prefix: "sat_")
        try await store.issueTokens(
            TokenHashes(access: token.hash, accessExpiresAt: now.addingTimeInterval(3600), refresh: "r"), grant: grant, now: now)
        try await body(store, token.token)
    }

    @Test func aValidTokenIsGrantedOnItsEndpointOnly() async throws {
        try await Self.withGrant { store, token in
            let verifier = BearerVerifier(store: store, clock: { Self.now })
            guard case .granted(let grant) = await verifier.verify(bearer: token, endpoint: "eng", address: { "10.0.0.7" }) else {
                Issue.record("token refused"); return
            }
            #expect(grant.grantID == "g1" && grant.user == "alice" && grant.clientID == "c1")
            #expect(await verifier.verify(bearer: token, endpoint: "ops", address: { nil }) == .refused(OAuthError(.invalidToken, "the access token was issued for another endpoint")))
            #expect(await verifier.verify(bearer: nil, endpoint: "eng", address: { nil }) == .refused(nil))
            #expect(await verifier.verify(bearer: token + "x", endpoint: "eng", address: { nil }) == .refused(OAuthError(.invalidToken, "the access token is invalid, expired or revoked")))
            let used = try #require(try await store.grants(matching: GrantFilter(id: "g1")).first)
            #expect(used.lastUsedAt == Self.now && used.lastAddress == "10.0.0.7")
        }
    }

    @Test func revocationTakesEffectDespiteTheCache() async throws {
        try await Self.withGrant { store, token in
            let verifier = BearerVerifier(store: store, cacheLifetime: 3600, clock: { Self.now })
            guard case .granted = await verifier.verify(bearer: token, endpoint: "eng", address: { nil }) else { Issue.record("refused"); return }
            _ = try await store.revokeGrants(matching: GrantFilter(id: "g1"), now: Self.now)
            // Cached: still granted until the revocation is announced…
            guard case .granted = await verifier.verify(bearer: token, endpoint: "eng", address: { nil }) else { Issue.record("cache unused"); return }
            verifier.invalidate(grantIDs: ["g1"])
            guard case .refused(let error) = await verifier.verify(bearer: token, endpoint: "eng", address: { nil }) else {
                Issue.record("revoked token granted"); return
            }
            #expect(error?.code == .invalidToken)
        }
    }

    @Test func aTokenWithoutTheMCPScopeIsInsufficient() async throws {
        try await Self.withGrant(scope: "offline_access") { store, token in
            let verifier = BearerVerifier(store: store, clock: { Self.now })
            guard case .refused(let error) = await verifier.verify(bearer: token, endpoint: "eng", address: { nil }) else {
                Issue.record("granted without scope"); return
            }
            #expect(error?.code == .insufficientScope)
        }
    }
}
