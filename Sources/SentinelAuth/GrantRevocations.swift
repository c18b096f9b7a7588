public import Foundation
public import Logging
public import SentinelCore
public import SentinelGateway
public import SentinelStore
public import ServiceLifecycle

/// Makes revocation take effect at once: `revoke(grantIDs:by:)` is the one path every revocation
/// takes, from the control socket (`sentinelctl session revoke`, user removal, `endpoint deny`,
/// endpoint deletion) and from the authorization server (token revocation, refresh-token reuse,
/// client deletion). Also deletes expired tokens and sign-ins periodically.
public final class GrantRevocations: Service, GrantRevoking {
    let store: Store
    let verifier: BearerVerifier
    let streams: GrantStreams
    let changes: ChangeBroadcaster
    let logger: Logger
    let clock: @Sendable () -> Date

    public init(
        store: Store, verifier: BearerVerifier, streams: GrantStreams, changes: ChangeBroadcaster, logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.verifier = verifier
        self.streams = streams
        self.changes = changes
        self.logger = logger
        self.clock = clock
    }

    /// Refuses the cached tokens of `grantIDs` and closes their open event streams now, then tells watchers.
    public func revoke(grantIDs: [String], by origin: ChangeOrigin) {
        guard !grantIDs.isEmpty else { return }
        let ids = Set(grantIDs)
        verifier.invalidate(grantIDs: ids)
        let closed = streams.close(grantIDs: ids)
        if closed > 0 { logger.info("closed \(closed) event stream(s) of revoked session(s)") }
        changes.publish(ControlChange(time: clock(), origin: origin, event: .grantsRevoked(grantIDs: grantIDs)))
    }

    public func run() async throws {
        while true {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(600)) }
            } catch {
                return
            }
            do {
                let removed = try await store.deleteExpiredCredentials()
                if removed > 0 { logger.debug("deleted \(removed) expired token(s) and sign-in(s)") }
            } catch {
                logger.warning("cannot delete expired tokens: \(error)")
            }
        }
    }
}
