internal import CSystemd
internal import Glibc

/// Reads and follows the systemd journal through `sd_journal`, for `sentinelctl logs`.
///
/// Filter with ``addMatch(_:_:)`` (matches on different fields are ANDed,
/// several on one field ORed; ``addDisjunction()`` and ``addConjunction()``
/// combine groups), position with a seek, then step with ``next()`` or
/// ``previous()``. After the last entry, ``wait(timeout:)`` blocks until new
/// ones arrive.
///
/// Not thread-safe: use one reader from one task at a time. The journal is
/// closed when the reader is released.
public final class JournalReader {
    private let journal: OpaquePointer

    /// Opens the journal files in `directory`, or the local machine's journal when `nil`.
    ///
    /// - Throws: ``JournalError/openFailed(directory:errno:)``.
    public init(directory: String? = nil) throws(JournalError) {
        var handle: OpaquePointer? = nil
        let result: Int32
        if let directory {
            result = sd_journal_open_directory(&handle, directory, 0)
        } else {
            result = sd_journal_open(&handle, Int32(SD_JOURNAL_LOCAL_ONLY))
        }
        guard result >= 0, let handle else {
            throw .openFailed(directory: directory, errno: result < 0 ? -result : EINVAL)
        }
        journal = handle
        // Entries carry tool payloads; read whole values, not libsystemd's default 64 KiB prefix.
        _ = sd_journal_set_data_threshold(journal, 0)
    }

    deinit {
        sd_journal_close(journal)
    }

    /// Shows only entries where `field` equals `value`.
    ///
    /// `field` may be a trusted field such as `_SYSTEMD_UNIT`.
    /// - Throws: ``JournalError/matchFailed(match:errno:)`` for an invalid field name.
    public func addMatch(_ field: String, _ value: String) throws(JournalError) {
        var match = Array(field.utf8)
        match.append(UInt8(ascii: "="))
        match.append(contentsOf: value.utf8)
        let result = match.withUnsafeBytes { sd_journal_add_match(journal, $0.baseAddress, $0.count) }
        if result < 0 {
            throw .matchFailed(match: "\(field)=\(value)", errno: -result)
        }
    }

    /// ORs the matches added so far with those added next.
    public func addDisjunction() throws(JournalError) {
        let result = sd_journal_add_disjunction(journal)
        if result < 0 {
            throw .matchFailed(match: "OR", errno: -result)
        }
    }

    /// ANDs the disjunctions added so far with those added next.
    public func addConjunction() throws(JournalError) {
        let result = sd_journal_add_conjunction(journal)
        if result < 0 {
            throw .matchFailed(match: "AND", errno: -result)
        }
    }

    /// Removes every match.
    public func flushMatches() {
        sd_journal_flush_matches(journal)
    }

    /// Positions the reader so that ``next()`` returns the first entry at or after this time.
    ///
    /// - Parameter sinceRealtimeMicroseconds: Microseconds since the Unix epoch.
    public func seek(sinceRealtimeMicroseconds: UInt64) throws(JournalError) {
        try check(sd_journal_seek_realtime_usec(journal, sinceRealtimeMicroseconds), "seek to time")
    }

    /// Positions the reader at a cursor from ``JournalEntry/cursor``.
    ///
    /// ``next()`` then returns the entry at the cursor, if it still exists.
    public func seek(cursor: String) throws(JournalError) {
        try check(sd_journal_seek_cursor(journal, cursor), "seek to cursor")
    }

    /// Positions the reader after the newest entry: ``previous()`` returns it,
    /// ``next()`` returns only entries appended later.
    public func seekTail() throws(JournalError) {
        try check(sd_journal_seek_tail(journal), "seek to tail")
    }

    /// Positions the reader before the oldest entry.
    public func seekHead() throws(JournalError) {
        try check(sd_journal_seek_head(journal), "seek to head")
    }

    /// Moves to the next matching entry and returns it, or `nil` at the end.
    public func next() throws(JournalError) -> JournalEntry? {
        let moved = sd_journal_next(journal)
        try check(moved, "next entry")
        return moved == 0 ? nil : try currentEntry()
    }

    /// Moves to the previous matching entry and returns it, or `nil` at the start.
    public func previous() throws(JournalError) -> JournalEntry? {
        let moved = sd_journal_previous(journal)
        try check(moved, "previous entry")
        return moved == 0 ? nil : try currentEntry()
    }

    /// Blocks until the journal changes or `timeout` passes.
    ///
    /// Returns `true` when entries were appended or journal files were added
    /// or removed (call ``next()`` again), `false` on timeout. Blocks the
    /// calling thread: run it off the cooperative pool or with short timeouts.
    public func wait(timeout: Duration) throws(JournalError) -> Bool {
        let result = sd_journal_wait(journal, Self.microseconds(timeout))
        try check(result, "wait")
        return result != Int32(SD_JOURNAL_NOP)
    }

    private func currentEntry() throws(JournalError) -> JournalEntry {
        var realtime: UInt64 = 0
        try check(sd_journal_get_realtime_usec(journal, &realtime), "realtime timestamp")

        var cursorPointer: UnsafeMutablePointer<CChar>? = nil
        try check(sd_journal_get_cursor(journal, &cursorPointer), "cursor")
        let cursor = cursorPointer.map { String(cString: $0) } ?? ""
        free(cursorPointer)

        var fields: [String: String] = [:]
        sd_journal_restart_data(journal)
        while true {
            var data: UnsafeRawPointer? = nil
            var length = 0
            let result = sd_journal_enumerate_data(journal, &data, &length)
            try check(result, "entry data")
            guard result > 0, let data else { break }
            let bytes = UnsafeRawBufferPointer(start: data, count: length)
            guard let (name, value) = Self.splitField(bytes) else { continue }
            if fields[name] == nil {
                fields[name] = value
            }
        }
        return JournalEntry(fields: fields, realtime: realtime, cursor: cursor)
    }

    private func check(_ result: Int32, _ operation: String) throws(JournalError) {
        if result < 0 {
            throw .readFailed(operation: operation, errno: -result)
        }
    }

    /// Splits `FIELD=value` data at its first `=`, decoding both as UTF-8 with replacement.
    static func splitField(_ bytes: UnsafeRawBufferPointer) -> (String, String)? {
        guard let separator = bytes.firstIndex(of: UInt8(ascii: "=")) else { return nil }
        let name = String(decoding: bytes[..<separator], as: UTF8.self)
        let value = String(decoding: bytes[(separator + 1)...], as: UTF8.self)
        return (name, value)
    }

    /// A wait timeout in microseconds: negative durations do not wait, and
    /// durations too long to express wait forever (`UINT64_MAX` to libsystemd).
    static func microseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000)
        let (total, carry) = whole.addingReportingOverflow(UInt64(attoseconds / 1_000_000_000_000))
        return overflow || carry ? UInt64.max : total
    }
}
