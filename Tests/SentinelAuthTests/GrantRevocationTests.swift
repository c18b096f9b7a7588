import Foundation
import Logging
@testable import SentinelAuth
import SentinelControl
import SentinelCore
@testable import SentinelGateway
import SentinelStore
import SentinelVarlink
import Testing

/// A revocation through the control socket reaches the bearer cache and the open streams through
/// `GrantRevocations.revoke(grantIDs:by:)`, with the real store on a temporary SQLite file.
struct GrantRevocationTests {
    struct DiscardingAuditSink: AuditSink {
        func record(_ event: AuditEvent) {}
    }

    static let admin = VarlinkPeer(uid: 0, gid: 0, pid: 4242, groups: [])

    /// The control plane and the authorization plane wired as sentineld wires them.
    struct Planes {
        let verifier: BearerVerifier
        let streams = GrantStreams()
        let changes = ChangeBroadcaster()
        let revocations: GrantRevocations
        let manager: ManagerInterface

        init(store: Store) throws {
            // A cache that would keep a revoked token for an hour if the revocation did not reach it.
            verifier = BearerVerifier(store: store, cacheLifetime: 3600, clock: { BearerVerifierTests.now })
            revocations = GrantRevocations(
                store: store, verifier: verifier, streams: streams, changes: changes, logger: Logger(label: "test"))
            manager = try ManagerInterface(
                store: store, audit: DiscardingAuditSink(), policy: ControlAccessPolicy(daemonUID: 0, groupID: nil),
                changes: changes, revocations: revocations, logger: Logger(label: "test"),
                runtime: {
                    DaemonRuntimeStatus(
                        version: "test", pid: 1, started: Date(), publicURL: "http://127.0.0.1", httpListen: "127.0.0.1:0",
                        controlSocket: "", stateDirectory: "", openConnections: 0, httpIsLoopback: true)
                })
        }

        func call(_ method: String, _ parameters: [String: JSONValue]) async throws {
            _ = try await manager.handle(VarlinkCall(method: "io.sentinel.Manager." + method, parameters: parameters), peer: admin)
        }

        func isGranted(_ token: String) async -> Bool {
            if case .granted = await verifier.verify(bearer: token, endpoint: "eng", address: { nil }) { return true }
            return false
        }
    }

    @Test func revokeSessionRefusesTheBearerAtOnceAndClosesOnlyItsStreams() async throws {
        try await BearerVerifierTests.withGrant { store, token in
            let planes = try Planes(store: store)
            #expect(await planes.isGranted(token))  // now cached
            let (_, stream) = planes.streams.register(grantID: "g1")
            let (_, other) = planes.streams.register(grantID: "g-other")
            let watched = planes.changes.subscribe()

            try await planes.call("RevokeSession", ["id": "g1"])

            #expect(stream.hasFired)
            #expect(!other.hasFired)
            #expect(planes.streams.grantIDs == ["g-other"])
            #expect(await planes.isGranted(token) == false)
            var changes = watched.makeAsyncIterator()
            let change = await changes.next()
            #expect(change?.event == .grantsRevoked(grantIDs: ["g1"]))
            #expect(change?.origin == .peer(uid: Self.admin.uid, pid: Self.admin.pid))
        }
    }

    @Test func deletingTheEndpointRefusesItsBearersAtOnceAndClosesTheirStreams() async throws {
        try await BearerVerifierTests.withGrant { store, token in
            let planes = try Planes(store: store)
            #expect(await planes.isGranted(token))
            let (_, stream) = planes.streams.register(grantID: "g1")

            try await planes.call("DeleteEndpoint", ["name": "eng"])

            #expect(stream.hasFired)
            #expect(await planes.isGranted(token) == false)
        }
    }

    @Test func theAuthorizationServersRevocationsAreTheDaemonsOwn() async throws {
        try await BearerVerifierTests.withGrant { store, token in
            let planes = try Planes(store: store)
            #expect(await planes.isGranted(token))
            let watched = planes.changes.subscribe()
            _ = try await store.revokeGrants(matching: GrantFilter(id: "g1"))

            planes.revocations.revoke(grantIDs: ["g1"], by: .daemon)

            #expect(await planes.isGranted(token) == false)
            var changes = watched.makeAsyncIterator()
            let change = await changes.next()
            #expect(change?.origin == .daemon && change?.event == .grantsRevoked(grantIDs: ["g1"]))
        }
    }
}
