public import Foundation

/// Slows down repeated failed sign-ins, per account and per client address.
///
/// After `freeAttempts` failures within `window`, each further failure locks the key for
/// twice as long as the previous lock (1 s, 2 s, 4 s … up to `maximumLock`). A success clears
/// the account's record. Pure state: the caller passes the time in.
public struct SignInThrottle: Sendable {
    struct Record: Sendable {
        var failures: Int
        var firstFailure: Date
        var lockedUntil: Date?
    }

    public var freeAttempts: Int
    public var window: TimeInterval
    public var maximumLock: TimeInterval
    var records: [String: Record] = [:]

    public init(freeAttempts: Int = 3, window: TimeInterval = 900, maximumLock: TimeInterval = 300) {
        self.freeAttempts = freeAttempts
        self.window = window
        self.maximumLock = maximumLock
    }

    /// How long `keys` must still wait at `now` (the longest of them), or nil to go ahead.
    public func delay(for keys: [String], now: Date) -> TimeInterval? {
        let waits = keys.compactMap { key -> TimeInterval? in
            guard let until = records[key]?.lockedUntil, until > now else { return nil }
            return until.timeIntervalSince(now)
        }
        return waits.max()
    }

    /// Records one failure for each of `keys`.
    public mutating func recordFailure(_ keys: [String], now: Date) {
        for key in keys {
            var record = records[key] ?? Record(failures: 0, firstFailure: now)
            if now.timeIntervalSince(record.firstFailure) > window {
                record = Record(failures: 0, firstFailure: now)
            }
            record.failures += 1
            let excess = record.failures - freeAttempts + 1
            if excess > 0 {
                let lock = min(maximumLock, pow(2, Double(excess - 1)))
                record.lockedUntil = now.addingTimeInterval(lock)
            }
            records[key] = record
        }
        prune(now: now)
    }

    /// Forgets `key` (a successful sign-in of that account).
    public mutating func recordSuccess(_ key: String) {
        records[key] = nil
    }

    private mutating func prune(now: Date) {
        guard records.count > 10_000 else { return }
        records = records.filter { now.timeIntervalSince($0.value.firstFailure) <= window }
    }
}
