internal import Glibc

/// An error writing to or reading from the systemd journal.
///
/// Cases from libsystemd carry the positive `errno` (libsystemd returns it
/// negated); ``description`` adds its `strerror` text.
public enum JournalError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A field name a client may not write: it must be 1–64 characters of
    /// `A–Z`, `0–9` and `_`, and start with neither `_` nor a digit.
    case invalidFieldName(String)
    /// `sd_journal_sendv` failed.
    case sendFailed(errno: Int32)
    /// The journal could not be opened; `directory` is `nil` for the local system journal.
    case openFailed(directory: String?, errno: Int32)
    /// A match, disjunction or conjunction was rejected; `match` is the `FIELD=value` text or the operation.
    case matchFailed(match: String, errno: Int32)
    /// Seeking, moving, reading or waiting on an open journal failed.
    case readFailed(operation: String, errno: Int32)

    /// The system error number, when libsystemd reported one.
    public var errno: Int32? {
        switch self {
        case .invalidFieldName:
            nil
        case .sendFailed(let errno), .openFailed(_, let errno), .matchFailed(_, let errno),
            .readFailed(_, let errno):
            errno
        }
    }

    /// The `strerror` text for ``errno``, when there is one.
    public var systemErrorMessage: String? {
        errno.map { String(cString: strerror($0)) }
    }

    public var description: String {
        switch self {
        case .invalidFieldName(let name):
            return "invalid journal field name \"\(name)\": "
                + "use 1-64 characters of A-Z, 0-9 and _, not starting with _ or a digit"
        case .sendFailed:
            return "cannot send to the journal: \(reason)"
        case .openFailed(let directory, _):
            if let directory {
                return "cannot open the journal in \(directory): \(reason)"
            }
            return "cannot open the local journal: \(reason)"
        case .matchFailed(let match, _):
            return "cannot add journal match \(match): \(reason)"
        case .readFailed(let operation, _):
            return "cannot read the journal (\(operation)): \(reason)"
        }
    }

    private var reason: String {
        guard let errno else { return "unknown error" }
        return "\(systemErrorMessage ?? "unknown error") (errno \(errno))"
    }
}
