import Foundation
import Synchronization

/// What the gateway remembers of a handshake-era client after `initialize`.
struct MCPSession: Sendable {
    var endpoint: String
    /// The grant of the client that initialized it (nil on endpoints without authentication): another grant's
    /// requests cannot use or end it.
    var grant: String?
    var protocolVersion: String
    var clientName: String
    var clientVersion: String
    var lastUsed: Date
    /// The last use the store knows of (the issue time, which the id carries, until one is recorded).
    var recordedUse: Date
}

/// Verified handshake-era sessions by `Mcp-Session-Id`, in memory and bounded: a cache in front of
/// `MCPSessions`, which can verify any id again after a restart or an eviction.
final class MCPSessionTable: Sendable {
    private let sessions = Mutex<[String: MCPSession]>([:])
    private let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    func insert(_ id: String, _ session: MCPSession) {
        sessions.withLock { table in
            if table[id] == nil, table.count >= capacity,
                let oldest = table.min(by: { $0.value.lastUsed < $1.value.lastUsed })?.key
            {
                table.removeValue(forKey: oldest)
            }
            table[id] = session
        }
    }

    /// The cached session, marked used at `now`; returns it as it was before this use.
    func use(_ id: String, now: Date) -> MCPSession? {
        sessions.withLock { table in
            guard let session = table[id] else { return nil }
            table[id]?.lastUsed = max(session.lastUsed, now)
            return session
        }
    }

    /// Notes that the store now knows of a use at `date`.
    func recorded(_ id: String, at date: Date) {
        sessions.withLock { table in
            if let known = table[id]?.recordedUse, known < date { table[id]?.recordedUse = date }
        }
    }

    func remove(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }
}

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
