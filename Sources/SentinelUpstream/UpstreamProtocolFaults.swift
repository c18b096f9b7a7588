import Synchronization

/// Counts, per server, the messages Sentinel had to drop since the daemon started: output that is
/// not JSON-RPC (or not UTF-8), and error answers without an id that no single request could take.
///
/// Such a message cannot be answered or passed on, so the count (shown by `sentinelctl server show`)
/// and the log line that goes with each are how an admin learns that a server misbehaves.
public final class UpstreamProtocolFaults: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    public init() {}

    /// Records one fault of `server`.
    public func record(server: String) {
        counts.withLock { $0[server, default: 0] += 1 }
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
