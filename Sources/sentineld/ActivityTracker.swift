import SentinelCore
import Synchronization

/// Counts open connections and remembers when the daemon last became idle.
final class ActivityTracker: ActivityObserver {
    private struct State {
        var open = 0
        var idleSince: ContinuousClock.Instant? = .now
    }

    private let state = Mutex(State())

    func connectionOpened() {
        state.withLock { state in
            state.open += 1
            state.idleSince = nil
        }
    }

    func connectionClosed() {
        state.withLock { state in
            state.open -= 1
            if state.open == 0 { state.idleSince = .now }
        }
    }

    var openConnections: Int { state.withLock { $0.open } }

    /// How long nothing has been connected; nil while something is.
    func idleDuration(now: ContinuousClock.Instant = .now) -> Duration? {
        state.withLock { state in state.idleSince.map { now - $0 } }
    }
}

/// A Boolean shared between services (Mutex itself cannot be copied into several owners).
final class SharedFlag: Sendable {
    private let state: Mutex<Bool>

    init(_ value: Bool) {
        state = Mutex(value)
    }

    var value: Bool {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}
