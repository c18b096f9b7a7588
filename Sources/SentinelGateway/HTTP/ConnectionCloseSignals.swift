public import NIOCore
public import SentinelCore
import Synchronization

/// One close signal per client connection, so requests on a keep-alive connection can notice it closing without
/// each adding a callback to the channel's close future (those would pile up until the connection closes).
public final class ConnectionCloseSignals: Sendable {
    private let signals = Mutex<[ObjectIdentifier: OneShotSignal]>([:])

    public init() {}

    /// The signal that fires when `channel` closes (already fired when it has).
    public func signal(for channel: any Channel) -> OneShotSignal {
        let key = ObjectIdentifier(channel)
        let (signal, created) = signals.withLock { signals -> (OneShotSignal, Bool) in
            if let existing = signals[key] { return (existing, false) }
            let signal = OneShotSignal()
            signals[key] = signal
            return (signal, true)
        }
        if created {
            channel.closeFuture.whenComplete { [weak self] _ in
                self?.signals.withLock { _ = $0.removeValue(forKey: key) }
                signal.fire()
            }
        }
        return signal
    }

    /// How many open connections have a signal (for tests).
    var count: Int { signals.withLock { $0.count } }
}
