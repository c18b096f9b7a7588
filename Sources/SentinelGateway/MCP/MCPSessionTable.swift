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
    var lastUsed: ContinuousClock.Instant
}

/// Handshake-era sessions by `Mcp-Session-Id`, in memory and bounded.
///
/// Sessions are a convenience, never required: Claude does not echo the id,
/// so a request without one (or with a forgotten one) is still served.
final class MCPSessionTable: Sendable {
    private let sessions = Mutex<[String: MCPSession]>([:])
    private let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    func create(_ session: MCPSession) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
        let id = bytes.map { String(format: "%02x", $0) }.joined()
        sessions.withLock { table in
            if table.count >= capacity, let oldest = table.min(by: { $0.value.lastUsed < $1.value.lastUsed })?.key {
                table.removeValue(forKey: oldest)
            }
            table[id] = session
        }
        return id
    }

    func lookup(_ id: String, endpoint: String, grant: String?) -> MCPSession? {
        sessions.withLock { table in
            guard var session = table[id], session.endpoint == endpoint, session.grant == grant else { return nil }
            session.lastUsed = .now
            table[id] = session
            return session
        }
    }

    /// Ends a session; false when there was none.
    func remove(_ id: String, endpoint: String, grant: String?) -> Bool {
        sessions.withLock { table in
            guard table[id]?.endpoint == endpoint, table[id]?.grant == grant else { return false }
            table.removeValue(forKey: id)
            return true
        }
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

/// Caps concurrent tool calls per endpoint.
final class ConcurrencyLimiter: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    func acquire(_ endpoint: String, limit: Int) -> Bool {
        counts.withLock { counts in
            let current = counts[endpoint, default: 0]
            guard current < limit else { return false }
            counts[endpoint] = current + 1
            return true
        }
    }

    func release(_ endpoint: String) {
        counts.withLock { counts in
            counts[endpoint, default: 1] -= 1
            if counts[endpoint] == 0 { counts.removeValue(forKey: endpoint) }
        }
    }
}
