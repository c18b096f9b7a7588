internal import CSystemd
internal import Glibc

/// Tells the service manager about this daemon's state through `sd_notify`.
///
/// Every method is a no-op returning `false` when `NOTIFY_SOCKET` is not set
/// (the daemon was not started by systemd with `Type=notify`), so callers can
/// notify unconditionally. Notification failures never throw: a daemon should
/// keep serving when its manager cannot be told about it.
public struct ServiceNotifier: Sendable {
    /// Creates a notifier. It reads `NOTIFY_SOCKET` only when sending.
    public init() {}

    /// Whether `NOTIFY_SOCKET` is set, that is whether notifications go anywhere.
    public var isEnabled: Bool {
        getenv("NOTIFY_SOCKET") != nil
    }

    /// The watchdog interval the manager expects (`WATCHDOG_USEC`), or `nil` when the watchdog is off.
    ///
    /// Send ``watchdog()`` at about half this interval.
    public var watchdogInterval: Duration? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else { return nil }
        return .microseconds(Int64(clamping: microseconds))
    }

    /// Reports that startup finished and the daemon serves (`READY=1`), with an optional status line.
    ///
    /// Also send this after a reload announced with ``reloading()`` completes.
    @discardableResult
    public func ready(status: String? = nil) -> Bool {
        var assignments = ["READY=1"]
        if let status {
            assignments.append("STATUS=" + Self.singleLine(status))
        }
        return send(assignments)
    }

    /// Sets the one-line status shown by `systemctl status` (`STATUS=`).
    ///
    /// Line breaks in `text` are replaced by spaces: the protocol is line based.
    @discardableResult
    public func status(_ text: String) -> Bool {
        send(["STATUS=" + Self.singleLine(text)])
    }

    /// Reports that the daemon is shutting down (`STOPPING=1`).
    @discardableResult
    public func stopping() -> Bool {
        send(["STOPPING=1"])
    }

    /// Reports that the daemon is reloading its configuration (`RELOADING=1`).
    ///
    /// Includes `MONOTONIC_USEC=` (the current `CLOCK_MONOTONIC` time), which
    /// `Type=notify-reload` services must send from systemd 253 on. Call
    /// ``ready(status:)`` when the reload is done.
    @discardableResult
    public func reloading() -> Bool {
        send(["RELOADING=1", "MONOTONIC_USEC=\(Self.monotonicMicroseconds())"])
    }

    /// Pets the watchdog (`WATCHDOG=1`).
    @discardableResult
    public func watchdog() -> Bool {
        send(["WATCHDOG=1"])
    }

    /// Asks for more time to finish starting, reloading or stopping (`EXTEND_TIMEOUT_USEC=`).
    ///
    /// The manager's current timeout is extended to `microseconds` from now;
    /// send it again before that runs out.
    @discardableResult
    public func extendTimeout(microseconds: UInt64) -> Bool {
        send(["EXTEND_TIMEOUT_USEC=\(microseconds)"])
    }

    /// Sends newline-separated assignments in one datagram; `true` when the manager received it.
    func send(_ assignments: [String]) -> Bool {
        let state = assignments.joined(separator: "\n")
        return sd_notify(0, state) > 0
    }

    /// Replaces characters that would end or corrupt an assignment.
    static func singleLine(_ text: String) -> String {
        String(text.map { $0.isNewline || $0 == "\0" ? " " : $0 })
    }

    /// The current `CLOCK_MONOTONIC` time in microseconds.
    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }
}
