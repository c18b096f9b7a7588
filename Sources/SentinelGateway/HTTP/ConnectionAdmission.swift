import SentinelCore
import Synchronization

/// Counts open HTTP connections, in total and per client address, and decides whether one more may open.
///
/// The address is the TCP peer's: nothing of the request is known at accept time. IPv6 peers count per /64 (one
/// host usually holds a whole /64). Trusted proxies carry many clients, so they count only towards the total.
final class ConnectionAdmission: Sendable {
    enum Decision: Equatable {
        /// Admitted; give `key` back to `release` when the connection closes.
        case admitted(key: IPAddress?)
        /// Refused because `maxConnections` are open.
        case refusedTotal
        /// Refused because `maxConnectionsPerAddress` are open from this address.
        case refusedAddress
    }

    private struct State {
        var total = 0
        var perAddress: [IPAddress: Int] = [:]
        var refusing = 0
        var refusedSinceLog = 0
        var lastLog: ContinuousClock.Instant?
    }

    /// Refused connections still being answered at most; beyond it a refused connection is closed at once, so a
    /// flood of refusals cannot hold descriptors of its own.
    static let maxRefusing = 32

    private let state = Mutex(State())

    /// The key `peer` counts under: its /64 for IPv6, itself for IPv4.
    static func key(for peer: IPAddress) -> IPAddress {
        peer.isIPv4 ? peer : peer.masked(toPrefix: 64)
    }

    func admit(peer: IPAddress?, limits: HTTPConnectionLimits) -> Decision {
        let key = peer.flatMap { limits.trustedProxies.trusts($0) ? nil : Self.key(for: $0) }
        return state.withLock { state in
            guard state.total < limits.maxConnections else { return .refusedTotal }
            if let key {
                let current = state.perAddress[key, default: 0]
                guard current < limits.maxConnectionsPerAddress else { return .refusedAddress }
                state.perAddress[key] = current + 1
            }
            state.total += 1
            return .admitted(key: key)
        }
    }

    func release(key: IPAddress?) {
        state.withLock { state in
            state.total -= 1
            if let key {
                let remaining = state.perAddress[key, default: 1] - 1
                state.perAddress[key] = remaining > 0 ? remaining : nil
            }
        }
    }

    /// Takes a slot for answering a refused connection politely; false when too many are being answered.
    func startRefusing() -> Bool {
        state.withLock { state in
            guard state.refusing < Self.maxRefusing else { return false }
            state.refusing += 1
            return true
        }
    }

    func finishRefusing() {
        state.withLock { $0.refusing -= 1 }
    }

    /// Counts a refusal; returns how many there were since the last report when one is due (every 10 s at most),
    /// so a flood is one log line, not one per connection.
    func noteRefusal(now: ContinuousClock.Instant = .now) -> Int? {
        state.withLock { state in
            state.refusedSinceLog += 1
            if let last = state.lastLog, now - last < .seconds(10) { return nil }
            defer { state.refusedSinceLog = 0 }
            state.lastLog = now
            return state.refusedSinceLog
        }
    }

    /// Open connections (for tests and the status line).
    var openConnections: Int { state.withLock { $0.total } }
}
