import Synchronization
import SentinelCore

/// The open event streams of each grant, so revoking a grant can close them at once.
public final class GrantStreams: Sendable {
    private struct State {
        var nextID = 0
        var streams: [String: [Int: OneShotSignal]] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Registers a stream of `grantID`; its signal fires when the grant is closed. Call `remove` when the stream ends.
    func register(grantID: String) -> (id: Int, closed: OneShotSignal) {
        let signal = OneShotSignal()
        let id = state.withLock { state -> Int in
            state.nextID += 1
            state.streams[grantID, default: [:]][state.nextID] = signal
            return state.nextID
        }
        return (id, signal)
    }

    func remove(grantID: String, id: Int) {
        state.withLock { state in
            state.streams[grantID]?.removeValue(forKey: id)
            if state.streams[grantID]?.isEmpty == true { state.streams[grantID] = nil }
        }
    }

    /// Grants that have at least one open stream.
    public var grantIDs: [String] {
        state.withLock { Array($0.streams.keys) }
    }

    /// Closes every open stream of `grantIDs`; returns how many were closed.
    @discardableResult
    public func close(grantIDs: some Sequence<String>) -> Int {
        let signals = state.withLock { state -> [OneShotSignal] in
            grantIDs.flatMap { Array((state.streams.removeValue(forKey: $0) ?? [:]).values) }
        }
        for signal in signals { signal.fire() }
        return signals.count
    }
}
