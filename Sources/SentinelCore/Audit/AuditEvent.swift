/// One audit record, before it is written to the journal.
///
/// `fields` keys are the part after `SENTINEL_` (for example `ENDPOINT`), so
/// the record stays independent of the journal's spelling rules.
public struct AuditEvent: Sendable, Equatable {
    public var kind: AuditEventKind
    public var message: String
    public var fields: [String: String]

    public init(kind: AuditEventKind, message: String, fields: [String: String] = [:]) {
        self.kind = kind
        self.message = message
        self.fields = fields
    }

    /// The journal fields for this event: MESSAGE, MESSAGE_ID, PRIORITY, SENTINEL_EVENT and SENTINEL_*.
    public func journalFields(identifier: String) -> [(String, String)] {
        var result: [(String, String)] = [
            ("MESSAGE", message),
            ("MESSAGE_ID", kind.messageID),
            ("PRIORITY", String(kind.priority)),
            ("SYSLOG_IDENTIFIER", identifier),
            ("SENTINEL_EVENT", kind.rawValue),
        ]
        for key in fields.keys.sorted() {
            guard let value = fields[key] else { continue }
            result.append(("SENTINEL_" + key, value))
        }
        return result
    }
}

/// Where audit events go. The daemon's implementation writes to the journal.
public protocol AuditSink: Sendable {
    func record(_ event: AuditEvent)
}
