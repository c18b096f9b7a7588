import Synchronization

/// Counts, per server, the messages Sentinel had to drop since the daemon started: output that is
/// not JSON-RPC (or not UTF-8), error answers without an id that no single request could take, and
/// catalog entries it could not keep (`CatalogListing.skipped`).
///
/// Such a message cannot be answered or passed on, so the count (shown by `sentinelctl server show`)
/// and the log line that goes with each are how an admin learns that a server misbehaves.
public final class UpstreamProtocolFaults: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    public init() {}

    /// Records `count` faults of `server` (one by default).
    public func record(server: String, count: Int = 1) {
        guard count > 0 else { return }
        counts.withLock { $0[server, default: 0] += count }
    }

    /// The faults of each server that has had any.
    public var all: [String: Int] {
        counts.withLock { $0 }
    }

    /// The faults of `server` so far.
    public func count(server: String) -> Int {
        counts.withLock { $0[server] ?? 0 }
    }
}
