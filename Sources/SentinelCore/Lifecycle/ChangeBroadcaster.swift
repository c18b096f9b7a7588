public import Foundation
import Synchronization

/// One change, when it happened and who made it (a control peer, or the daemon itself).
public struct ControlChange: Sendable, Equatable, Codable {
    public var time: Date
    public var origin: ChangeOrigin
    public var event: ChangeEvent

    public init(time: Date, origin: ChangeOrigin, event: ChangeEvent) {
        self.time = time
        self.origin = origin
        self.event = event
    }
}

/// Fans changes out to subscribers (`WatchChanges` streams, the data plane).
///
/// Lives in the core because both the control plane and the gateway need it; it does no IO.
/// Publishing yields straight into each subscriber's stream, so no task sits in between.
public final class ChangeBroadcaster: Sendable {
    private struct Subscriber {
        var yield: @Sendable (ControlChange) -> Void
        var finish: @Sendable () -> Void
    }

    private let subscribers = Mutex<[Int: Subscriber]>([:])
    private let nextID = Atomic<Int>(0)

    public init() {}

    /// A stream of changes from now on; it ends when the consumer stops iterating.
    public func subscribe() -> AsyncStream<ControlChange> {
        let (stream, continuation) = AsyncStream<ControlChange>.makeStream(bufferingPolicy: .bufferingNewest(1024))
        let id = add(Subscriber(yield: { continuation.yield($0) }, finish: { continuation.finish() }))
        continuation.onTermination = { [weak self] _ in self?.remove(id) }
        return stream
    }

    /// A stream of what `transform` makes of each change from now on (none, one or several elements).
    public func subscribe<Element: Sendable>(
        mapping transform: @escaping @Sendable (ControlChange) -> [Element]
    ) -> AsyncThrowingStream<Element, any Error> {
        let (stream, continuation) = AsyncThrowingStream<Element, any Error>.makeStream(bufferingPolicy: .bufferingNewest(1024))
        let id = add(
            Subscriber(
                yield: { change in for element in transform(change) { continuation.yield(element) } },
                finish: { continuation.finish() }))
        continuation.onTermination = { [weak self] _ in self?.remove(id) }
        return stream
    }

    public func publish(_ change: ControlChange) {
        let targets = subscribers.withLock { Array($0.values) }
        for target in targets { target.yield(change) }
    }

    /// Ends every subscription (on shutdown).
    public func finishAll() {
        let targets = subscribers.withLock { state -> [Subscriber] in
            defer { state.removeAll() }
            return Array(state.values)
        }
        for target in targets { target.finish() }
    }

    private func add(_ subscriber: Subscriber) -> Int {
        let id = nextID.add(1, ordering: .relaxed).newValue
        subscribers.withLock { $0[id] = subscriber }
        return id
    }

    private func remove(_ id: Int) {
        subscribers.withLock { _ = $0.removeValue(forKey: id) }
    }
}
