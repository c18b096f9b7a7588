import Synchronization

/// A one-shot signal that any number of tasks can wait for; waiting is cancellable.
///
/// Used where one party must tell others "it is over" without owning their tasks:
/// a varlink connection's input closing, a client cancelling a tool call.
public final class OneShotSignal: Sendable {
    private struct State {
        var fired = false
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var actions: [Int: @Sendable () -> Void] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public func fire() {
        let (waiters, actions) = state.withLock { state -> ([CheckedContinuation<Void, Never>], [@Sendable () -> Void]) in
            guard !state.fired else { return ([], []) }
            state.fired = true
            defer {
                state.waiters = [:]
                state.actions = [:]
            }
            return (Array(state.waiters.values), Array(state.actions.values))
        }
        for waiter in waiters { waiter.resume() }
        for action in actions { action() }
    }

    /// Runs `action` when the signal fires (at once when it already has). Returns an id for `removeAction`, or nil
    /// when the action already ran. Unlike waiting, this costs no task; remove the action when it is no longer wanted,
    /// so a long-lived signal does not collect them.
    @discardableResult
    public func onFire(_ action: @escaping @Sendable () -> Void) -> Int? {
        let id = state.withLock { state -> Int? in
            guard !state.fired else { return nil }
            state.nextID += 1
            state.actions[state.nextID] = action
            return state.nextID
        }
        if id == nil { action() }
        return id
    }

    /// Drops an action registered with `onFire` that has not run.
    public func removeAction(_ id: Int) {
        state.withLock { _ = $0.actions.removeValue(forKey: id) }
    }

    public var hasFired: Bool { state.withLock { $0.fired } }

    /// Returns when fired or when the waiting task is cancelled.
    public func wait() async {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.fired || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
