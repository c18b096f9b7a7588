public import Logging
internal import Glibc

/// Where log messages go.
public enum LogTarget: String, Sendable, CaseIterable {
    /// The journal when the process runs under systemd, standard error otherwise.
    case auto
    /// The journal, falling back to standard error per message when it is missing.
    case journal
    /// Standard error, one line per message.
    case stderr

    /// Makes a handler for the logger `label`; pass it to `LoggingSystem.bootstrap`.
    ///
    /// `.auto` chooses the journal when standard error is the journal's own
    /// stream (`JOURNAL_STREAM` names its device and inode, as systemd sets for
    /// services), or when the journal socket exists and standard error is not a
    /// terminal; otherwise standard error.
    ///
    /// - Parameters:
    ///   - label: The logger's label.
    ///   - identifier: The journal's `SYSLOG_IDENTIFIER`, for example `sentineld`.
    ///   - target: Where messages go.
    ///   - level: The lowest level that is logged.
    public static func makeHandler(
        label: String,
        identifier: String,
        target: LogTarget = .auto,
        level: Logger.Level = .info
    ) -> any LogHandler {
        switch target.resolved() {
        case .journal:
            JournalLogHandler(label: label, identifier: identifier, level: level)
        case .auto, .stderr:
            StderrLogHandler(label: label, level: level)
        }
    }

    /// `.journal` or `.stderr`; `.auto` decided for this process.
    public func resolved() -> LogTarget {
        switch self {
        case .journal, .stderr:
            return self
        case .auto:
            if Self.standardErrorIsJournalStream() {
                return .journal
            }
            return JournalWriter.isAvailable() && isatty(STDERR_FILENO) == 0 ? .journal : .stderr
        }
    }

    /// Whether `JOURNAL_STREAM` is set and names the file standard error is open on.
    ///
    /// systemd's documentation asks for the device and inode check: a service
    /// may hand its environment to a child whose standard error was redirected.
    static func standardErrorIsJournalStream() -> Bool {
        guard let raw = getenv("JOURNAL_STREAM") else { return false }
        guard let (device, inode) = parseJournalStream(String(cString: raw)) else { return false }
        var info = stat()
        guard fstat(STDERR_FILENO, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }

    /// Parses `JOURNAL_STREAM`'s `device:inode` (both decimal).
    static func parseJournalStream(_ value: String) -> (device: UInt64, inode: UInt64)? {
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return nil }
        return (device, inode)
    }
}
