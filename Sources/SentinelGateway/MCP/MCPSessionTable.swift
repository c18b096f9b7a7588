import Foundation
import Synchronization

/// What the gateway remembers of a handshake-era client after `initialize`.
struct MCPSession: Sendable {
    var endpoint: String
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

    func lookup(_ id: String, endpoint: String) -> MCPSession? {
        sessions.withLock { table in
            guard var session = table[id], session.endpoint == endpoint else { return nil }
            session.lastUsed = .now
            table[id] = session
            return session
        }
    }

    /// Ends a session; false when there was none.
    func remove(_ id: String, endpoint: String) -> Bool {
        sessions.withLock { table in
            guard table[id]?.endpoint == endpoint else { return false }
            table.removeValue(forKey: id)
            return true
        }
    }
}

/// Tool calls in flight, so a handshake-era `notifications/cancelled` can stop one.
final class InFlightCalls: Sendable {
    private let calls = Mutex<[String: @Sendable () -> Void]>([:])

    static func key(endpoint: String, session: String?, requestID: String) -> String {
        "\(endpoint)\u{1F}\(session ?? "")\u{1F}\(requestID)"
    }

    func register(_ key: String, cancel: @escaping @Sendable () -> Void) {
        calls.withLock { $0[key] = cancel }
    }

    func unregister(_ key: String) {
        calls.withLock { _ = $0.removeValue(forKey: key) }
    }

    /// Cancels the call under `key`; false when none is running.
    func cancel(_ key: String) -> Bool {
        let cancel = calls.withLock { $0.removeValue(forKey: key) }
        cancel?()
        return cancel != nil
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
