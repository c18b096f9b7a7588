public import Foundation
import Synchronization

/// One change made through the control interface (or by the daemon itself, with uid and pid 0,
/// such as a catalog refresh).
public struct ControlChange: Sendable, Equatable {
    public var time: Date
    public var action: String
    public var object: String
    public var name: String
    public var uid: UInt32
    public var pid: Int32

    public init(time: Date, action: String, object: String, name: String, uid: UInt32, pid: Int32) {
        self.time = time
        self.action = action
        self.object = object
        self.name = name
        self.uid = uid
        self.pid = pid
    }
}

/// Fans control changes out to subscribers (`WatchChanges` streams, the data plane).
///
/// Lives in the core because both the control plane and the gateway need it; it does no IO.
public final class ChangeBroadcaster: Sendable {
    private let subscribers = Mutex<[Int: AsyncStream<ControlChange>.Continuation]>([:])
    private let nextID = Atomic<Int>(0)

    public init() {}

    /// A stream of changes from now on; it ends when the consumer stops iterating.
    public func subscribe() -> AsyncStream<ControlChange> {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<ControlChange>.makeStream(bufferingPolicy: .bufferingNewest(1024))
        continuation.onTermination = { [weak self] _ in
            self?.subscribers.withLock { _ = $0.removeValue(forKey: id) }
        }
        subscribers.withLock { $0[id] = continuation }
        return stream
    }

    public func publish(_ change: ControlChange) {
        let targets = subscribers.withLock { Array($0.values) }
        for target in targets { target.yield(change) }
    }

    /// Ends every subscription (on shutdown).
    public func finishAll() {
        let targets = subscribers.withLock { state -> [AsyncStream<ControlChange>.Continuation] in
            defer { state.removeAll() }
            return Array(state.values)
        }
        for target in targets { target.finish() }
    }
}
