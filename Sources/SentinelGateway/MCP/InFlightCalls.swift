import Synchronization

/// Tool calls in flight, so a handshake-era `notifications/cancelled` can stop one.
///
/// Keys name the caller (the grant; nil on endpoints without authentication), so one user's notification can never
/// cancel another user's call with the same request id. Calls that share a key (a client reusing an id) are kept
/// side by side and cancelled together.
final class InFlightCalls: Sendable {
    private struct State {
        var nextToken = 0
        var calls: [String: [Int: @Sendable () -> Void]] = [:]
    }

    private let state = Mutex(State())

    static func key(endpoint: String, grant: String?, session: String?, requestID: String) -> String {
        "\(endpoint)\u{1F}\(grant ?? "")\u{1F}\(session ?? "")\u{1F}\(requestID)"
    }

    /// Registers a call's cancel action; returns the token for `unregister`.
    func register(_ key: String, cancel: @escaping @Sendable () -> Void) -> Int {
        state.withLock { state in
            state.nextToken += 1
            state.calls[key, default: [:]][state.nextToken] = cancel
            return state.nextToken
        }
    }

    func unregister(_ key: String, token: Int) {
        state.withLock { state in
            state.calls[key]?.removeValue(forKey: token)
            if state.calls[key]?.isEmpty == true { state.calls[key] = nil }
        }
    }

    /// Cancels the calls under `key`; false when none is running.
    func cancel(_ key: String) -> Bool {
        let cancels = state.withLock { Array(($0.calls.removeValue(forKey: key) ?? [:]).values) }
        for cancel in cancels { cancel() }
        return !cancels.isEmpty
    }
}
