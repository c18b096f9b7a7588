/// One journal entry as read by ``JournalReader``.
public struct JournalEntry: Sendable, Equatable {
    /// Every field of the entry, trusted (`_PID`, `_BOOT_ID`, …) and user fields alike.
    ///
    /// Values are decoded as UTF-8, with invalid bytes replaced by U+FFFD.
    /// When a field occurs more than once in the entry, the first value is kept.
    public let fields: [String: String]
    /// When the entry was written, in microseconds since the Unix epoch (`__REALTIME_TIMESTAMP`).
    public let realtime: UInt64
    /// The entry's cursor; pass it to ``JournalReader/seek(cursor:)`` to continue after it.
    public let cursor: String

    /// Creates an entry; readers build these, tests and tools may too.
    public init(fields: [String: String], realtime: UInt64, cursor: String) {
        self.fields = fields
        self.realtime = realtime
        self.cursor = cursor
    }

    /// The value of `field`, or `nil` when the entry does not have it.
    public subscript(field field: String) -> String? {
        fields[field]
    }

    /// The entry's `MESSAGE`, or `nil` when it has none.
    public var message: String? {
        fields["MESSAGE"]
    }
}
