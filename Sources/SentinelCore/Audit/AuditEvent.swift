/// One audit record, before it is written to the journal.
///
/// `fields` are named by `AuditField`, whose raw values are the part after `SENTINEL_`.
public struct AuditEvent: Sendable, Equatable {
    public var kind: AuditEventKind
    public var message: String
    public var fields: [AuditField: String]

    public init(kind: AuditEventKind, message: String, fields: [AuditField: String] = [:]) {
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
        for (field, value) in fields.sorted(by: { $0.key < $1.key }) {
            result.append((field.journalName, value))
        }
        return result
    }
}

/// Where audit events go. The daemon's implementation writes to the journal.
public protocol AuditSink: Sendable {
    func record(_ event: AuditEvent)
}
