import Foundation
public import Logging
public import SentinelCore
public import SentinelGateway
public import SentinelStore
public import ServiceLifecycle

/// Makes revocation take effect at once: drops cached tokens and closes the open event streams of
/// grants that are no longer active, whether the change came through the control socket
/// (`sentinelctl session revoke`, user removal, `endpoint deny`) or from the authorization server
/// (token revocation, refresh-token reuse). Also deletes expired tokens and sign-ins periodically.
public final class GrantRevocations: Service {
    let store: Store
    let verifier: BearerVerifier
    let streams: GrantStreams
    let changes: ChangeBroadcaster
    let logger: Logger

    public init(store: Store, verifier: BearerVerifier, streams: GrantStreams, changes: ChangeBroadcaster, logger: Logger) {
        self.store = store
        self.verifier = verifier
        self.streams = streams
        self.changes = changes
        self.logger = logger
    }

    /// Applies the revocation of `grantIDs` now.
    public func revoked(grantIDs: Set<String>) {
        verifier.invalidate(grantIDs: grantIDs)
        let closed = streams.close(grantIDs: grantIDs)
        if closed > 0 { logger.info("closed \(closed) event stream(s) of revoked session(s)") }
    }

    /// Re-checks every grant with an open stream against the store (after a change that may revoke some).
    func recheckOpenStreams() async {
        verifier.invalidateAll()
        let open = streams.grantIDs
        guard !open.isEmpty else { return }
        do {
            let active = try await store.activeGrantIDs(among: open)
            let gone = Set(open).subtracting(active)
            if !gone.isEmpty { revoked(grantIDs: gone) }
        } catch {
            logger.error("cannot re-check sessions after a change: \(error)")
        }
    }

    public func run() async throws {
        let subscription = changes.subscribe()
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await change in subscription.cancelOnGracefulShutdown()
                where ["session", "user", "endpoint"].contains(change.object) {
                    await self.recheckOpenStreams()
                }
            }
            group.addTask {
                while true {
                    do {
                        try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(600)) }
                    } catch {
                        return
                    }
                    do {
                        let removed = try await self.store.deleteExpiredCredentials()
                        if removed > 0 { self.logger.debug("deleted \(removed) expired token(s) and sign-in(s)") }
                    } catch {
                        self.logger.warning("cannot delete expired tokens: \(error)")
                    }
                }
            }
        }
    }
}
