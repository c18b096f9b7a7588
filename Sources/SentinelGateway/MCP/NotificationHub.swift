public import SentinelCore
import Synchronization

/// Open notification streams of connected clients, per endpoint.
///
/// Handshake-era clients hold a GET stream; 2026-07-28 clients hold a `subscriptions/listen` stream. The hub carries
/// typed notices (`EndpointNotice`: a list changed, a resource was updated); each stream says when it starts listening
/// which notices it wants, so a client hears only what it asked for (a listen that asked for tools gets no prompts),
/// and turns them into its own notifications.
public final class NotificationHub: Sendable {
    public struct Listener: Sendable {
        public let id: Int
        public let stream: AsyncStream<EndpointNotice>
    }

    private struct Target {
        let continuation: AsyncStream<EndpointNotice>.Continuation
        let accepts: @Sendable (EndpointNotice) -> Bool
    }

    private struct State {
        var nextID = 0
        var listeners: [String: [Int: Target]] = [:]
        var closed = false
    }

    private let state = Mutex(State())

    public init() {}

    /// A new stream of the notices for `endpoint` that `accepts` takes; it ends on `close(endpoint:)`, `closeAll()`
    /// or when the consumer stops.
    public func listen(endpoint: String, accepts: @escaping @Sendable (EndpointNotice) -> Bool = { _ in true }) -> Listener {
        let (stream, continuation) = AsyncStream<EndpointNotice>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let id = state.withLock { state -> Int? in
            guard !state.closed else { return nil }
            state.nextID += 1
            state.listeners[endpoint, default: [:]][state.nextID] = Target(continuation: continuation, accepts: accepts)
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

    /// Sends `notice` to every listener of `endpoint` that wants it; returns how many got it.
    @discardableResult
    public func publish(endpoint: String, _ notice: EndpointNotice) -> Int {
        let targets = state.withLock { Array(($0.listeners[endpoint] ?? [:]).values) }.filter { $0.accepts(notice) }
        for target in targets { target.continuation.yield(notice) }
        return targets.count
    }

    /// How many listeners an endpoint has.
    public func listenerCount(endpoint: String) -> Int {
        state.withLock { $0.listeners[endpoint]?.count ?? 0 }
    }

    /// Ends the streams of one endpoint (it was deleted).
    public func close(endpoint: String) {
        let targets = state.withLock { Array(($0.listeners.removeValue(forKey: endpoint) ?? [:]).values) }
        for target in targets { target.continuation.finish() }
    }

    /// Ends every stream and refuses new ones (shutdown).
    public func closeAll() {
        let targets = state.withLock { state -> [Target] in
            state.closed = true
            defer { state.listeners.removeAll() }
            return state.listeners.values.flatMap { Array($0.values) }
        }
        for target in targets { target.continuation.finish() }
    }
}
