public import SentinelCore
import Synchronization

/// Open notification streams of connected clients, per endpoint.
///
/// Handshake-era clients hold a GET stream; 2026-07-28 clients hold a
/// `subscriptions/listen` stream. Both receive `notifications/tools/list_changed`
/// when the endpoint's tools change.
public final class NotificationHub: Sendable {
    public struct Listener: Sendable {
        public let id: Int
        public let stream: AsyncStream<RawJSON>
    }

    private struct State {
        var nextID = 0
        var listeners: [String: [Int: AsyncStream<RawJSON>.Continuation]] = [:]
        var closed = false
    }

    private let state = Mutex(State())

    public init() {}

    /// A new stream of notifications for `endpoint`; it ends on `close(endpoint:)`, `closeAll()`
    /// or when the consumer stops.
    public func listen(endpoint: String) -> Listener {
        let (stream, continuation) = AsyncStream<RawJSON>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let id = state.withLock { state -> Int? in
            guard !state.closed else { return nil }
            state.nextID += 1
            state.listeners[endpoint, default: [:]][state.nextID] = continuation
            return state.nextID
        }
        guard let id else {
            continuation.finish()
            return Listener(id: 0, stream: stream)
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.listeners[endpoint]?.removeValue(forKey: id) }
        }
        return Listener(id: id, stream: stream)
    }

    /// Sends a notification to every listener of `endpoint`; returns how many got it.
    @discardableResult
    public func publish(endpoint: String, _ message: RawJSON) -> Int {
        let targets = state.withLock { Array(($0.listeners[endpoint] ?? [:]).values) }
        for target in targets { target.yield(message) }
        return targets.count
    }

    /// How many listeners an endpoint has.
    public func listenerCount(endpoint: String) -> Int {
        state.withLock { $0.listeners[endpoint]?.count ?? 0 }
    }

    /// Ends the streams of one endpoint (it was deleted).
    public func close(endpoint: String) {
        let targets = state.withLock { Array(($0.listeners.removeValue(forKey: endpoint) ?? [:]).values) }
        for target in targets { target.finish() }
    }

    /// Ends every stream and refuses new ones (shutdown).
    public func closeAll() {
        let targets = state.withLock { state -> [AsyncStream<RawJSON>.Continuation] in
            state.closed = true
            defer { state.listeners.removeAll() }
            return state.listeners.values.flatMap { Array($0.values) }
        }
        for target in targets { target.finish() }
    }
}
