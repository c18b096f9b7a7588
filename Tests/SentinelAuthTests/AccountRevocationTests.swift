import Foundation
import HTTPTypes
import HummingbirdCore
import Logging
@testable import SentinelAuth
import SentinelCore
@testable import SentinelGateway
import SentinelStore
import Synchronization
import Testing

/// Revoke on the account page, in-process on a temporary SQLite store: a user revokes only their own session, through
/// `GrantRevocations` (cached bearer refused, open stream closed at once), audited with the user as ACTOR.
struct AccountRevocationTests {
    final class RecordingAuditSink: AuditSink, Sendable {
        private let recorded = Mutex<[AuditEvent]>([])
        func record(_ event: AuditEvent) { recorded.withLock { $0.append(event) } }
        var events: [AuditEvent] { recorded.withLock { $0 } }
    }

    struct NoCatalogRefresh: CatalogRefreshing {
        func refresh(server: String) async {}
        func serverChanged(_ server: String) async {}
        func serverRemoved(_ server: String) async {}
    }

    @Test func aUserRevokesOnlyTheirOwnSessionThroughTheOneRevocationPath() async throws {
        try await BearerVerifierTests.withGrant { store, token in
            let now = BearerVerifierTests.now
            _ = try await store.addUser(User(name: "bob", createdAt: now, updatedAt: now))
            let verifier = BearerVerifier(store: store, cacheLifetime: 3600, clock: { now })
            let streams = GrantStreams()
            let revocations = GrantRevocations(
                store: store, verifier: verifier, streams: streams, changes: ChangeBroadcaster(), logger: Logger(label: "test"))
            let audit = RecordingAuditSink()
            let settings = { @Sendable in AuthSettings(issuer: "http://127.0.0.1:8080") }
            let server = AuthorizationServer(
                store: store, catalog: EndpointCatalog(store: store), audit: audit, revocations: revocations,
                credentials: UpstreamCredentials(store: store, audit: audit, logger: Logger(label: "test"), settings: settings),
                catalogs: NoCatalogRefresh(), logger: Logger(label: "test"), clock: { now }, settings: settings)
            func granted() async -> Bool {
                if case .granted = await verifier.verify(bearer: token, endpoint: "eng", address: { nil }) { return true }
                return false
            }
            #expect(await granted())  // now cached for an hour
            let (_, stream) = streams.register(grantID: "g1")
            let alice = try await store.user(named: "alice")
            let bob = try await store.user(named: "bob")

            let refused = await server.revokeOwnSession("g1", user: bob, signInToken: "bobs-sign-in", address: "192.0.2.9")
            #expect(refused.status == .notFound)
            #expect(!stream.hasFired)
            #expect(await granted())
            #expect(audit.events.isEmpty)

            let done = await server.revokeOwnSession("g1", user: alice, signInToken: "alices-sign-in", address: "192.0.2.7")
            #expect(done.status == .seeOther)
            #expect(done.headers[.location] == "/oauth/account?done=revoked&grant=g1")
            #expect(stream.hasFired)
            #expect(await granted() == false)
            let event = try #require(audit.events.first)
            #expect(audit.events.count == 1 && event.kind == .grantRevoked)
            #expect(event.fields[.grant] == "g1" && event.fields[.user] == "alice")
            #expect(event.fields[.actor] == "alice" && event.fields[.remoteAddress] == "192.0.2.7")
            #expect(event.fields[.peerUID] == nil)
        }
    }
}
