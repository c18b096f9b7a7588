import Foundation
import Synchronization

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
