internal import CSystemd
internal import Glibc

/// Writes structured entries to the systemd journal through its native protocol (`sd_journal_sendv`).
///
/// `sd_journal_sendv` reports success even when no journal is listening, so
/// check ``isAvailable()`` before relying on entries arriving.
public struct JournalWriter: Sendable {
    /// The journal's native-protocol socket.
    static let socketPath = "/run/systemd/journal/socket"

    /// The longest field name journald accepts.
    static let maximumFieldNameLength = 64

    /// Creates a writer. Writers hold no state; libsystemd keeps one socket per process.
    public init() {}

    /// Whether journald's native socket exists on this machine (or in this mount namespace).
    public static func isAvailable() -> Bool {
        access(socketPath, F_OK) == 0
    }

    /// Sends one entry made of `FIELD=value` pairs, in order.
    ///
    /// Values may contain line breaks and any bytes; a field may repeat.
    /// Field names are checked first and nothing is sent when one is invalid.
    ///
    /// - Throws: ``JournalError/invalidFieldName(_:)`` for a name journald would
    ///   drop; ``JournalError/sendFailed(errno:)`` when libsystemd fails, or
    ///   with `EINVAL` for an empty entry.
    public func send(_ fields: [(String, String)]) throws(JournalError) {
        for (name, _) in fields where !Self.isValidFieldName(name) {
            throw .invalidFieldName(name)
        }
        guard !fields.isEmpty else { throw .sendFailed(errno: EINVAL) }

        // One contiguous buffer holds every `NAME=value`; the iovecs point into
        // it and are only used while the buffer is pinned by withUnsafeMutableBytes.
        var buffer: [UInt8] = []
        buffer.reserveCapacity(fields.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count + 1 })
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(fields.count)
        for (name, value) in fields {
            let start = buffer.count
            buffer.append(contentsOf: name.utf8)
            buffer.append(UInt8(ascii: "="))
            buffer.append(contentsOf: value.utf8)
            ranges.append(start..<buffer.count)
        }

        let result = buffer.withUnsafeMutableBytes { bytes -> Int32 in
            guard let base = bytes.baseAddress else { return -EINVAL }
            let vectors = ranges.map { iovec(iov_base: base + $0.lowerBound, iov_len: $0.count) }
            return vectors.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
        }
        if result < 0 {
            throw .sendFailed(errno: -result)
        }
    }

    /// Whether a client may write a field with this name.
    ///
    /// journald accepts 1–64 characters of `A–Z`, `0–9` and `_` not starting
    /// with a digit; names starting with `_` are trusted fields that only
    /// journald itself sets.
    static func isValidFieldName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= maximumFieldNameLength else { return false }
        guard first != UInt8(ascii: "_"), !isDigit(first) else { return false }
        return bytes.allSatisfy { isUppercaseLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isUppercaseLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}
