public import Foundation

/// At most `limit` requests per key in each `window` (a fixed window per key). Pure state: the caller passes the time.
///
/// Used for unauthenticated requests that create state, such as dynamic client registration.
public struct RequestRateLimit: Sendable {
    public var limit: Int
    public var window: TimeInterval
    var counts: [String: (start: Date, count: Int)] = [:]

    public init(limit: Int, window: TimeInterval) {
        self.limit = limit
        self.window = window
    }

    /// Counts a request by `key` at `now`; false when the key is over its limit (the request is not counted).
    public mutating func admit(_ key: String, now: Date) -> Bool {
        if counts.count > 10_000 { counts = counts.filter { now.timeIntervalSince($0.value.start) < window } }
        var entry = counts[key] ?? (now, 0)
        if now.timeIntervalSince(entry.start) >= window { entry = (now, 0) }
        guard entry.count < limit else { return false }
        entry.count += 1
        counts[key] = entry
        return true
    }
}
