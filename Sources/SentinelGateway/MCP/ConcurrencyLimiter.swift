import Synchronization

/// Caps concurrent tool calls per endpoint, and each caller's share of them.
///
/// A caller (a grant, or a client address on endpoints without authentication) may hold at most `callerLimit` of an
/// endpoint's `endpointLimit` slots, so one caller with stalled calls leaves the endpoint serving everyone else.
final class ConcurrencyLimiter: Sendable {
    /// Why a call was not admitted.
    enum Refusal: Equatable {
        /// The endpoint runs `limit` calls.
        case endpointFull(limit: Int)
        /// This caller runs `limit` calls on the endpoint.
        case callerShareFull(limit: Int)
    }

    private struct CallerKey: Hashable {
        var endpoint: String
        var caller: String
    }

    private struct State {
        var endpoints: [String: Int] = [:]
        var callers: [CallerKey: Int] = [:]
    }

    private let state = Mutex(State())

    /// Takes a slot for `caller` on `endpoint`; nil when admitted (give it back with `release`), else why not.
    func acquire(endpoint: String, caller: String, endpointLimit: Int, callerLimit: Int) -> Refusal? {
        let key = CallerKey(endpoint: endpoint, caller: caller)
        return state.withLock { state in
            let callerCount = state.callers[key, default: 0]
            guard callerCount < callerLimit else { return .callerShareFull(limit: callerLimit) }
            let endpointCount = state.endpoints[endpoint, default: 0]
            guard endpointCount < endpointLimit else { return .endpointFull(limit: endpointLimit) }
            state.callers[key] = callerCount + 1
            state.endpoints[endpoint] = endpointCount + 1
            return nil
        }
    }

    func release(endpoint: String, caller: String) {
        let key = CallerKey(endpoint: endpoint, caller: caller)
        state.withLock { state in
            let callerCount = state.callers[key, default: 1] - 1
            state.callers[key] = callerCount > 0 ? callerCount : nil
            let endpointCount = state.endpoints[endpoint, default: 1] - 1
            state.endpoints[endpoint] = endpointCount > 0 ? endpointCount : nil
        }
    }

    /// Calls running on `endpoint` (for tests).
    func running(endpoint: String) -> Int {
        state.withLock { $0.endpoints[endpoint, default: 0] }
    }
}
