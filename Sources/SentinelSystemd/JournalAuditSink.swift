public import SentinelCore
internal import Glibc

/// Writes audit events to the journal, one entry each with a fixed `MESSAGE_ID`.
///
/// When no journal is reachable (a development run outside systemd), each
/// event is printed to standard error as one line instead, so nothing is
/// silently dropped.
public struct JournalAuditSink: AuditSink {
    private let writer = JournalWriter()
    private let identifier: String
    private let journalAvailable: Bool

    /// Whether events go to the journal (decided at creation); otherwise they go to standard error.
    public var writesToJournal: Bool { journalAvailable }

    public init(identifier: String = "sentineld") {
        self.identifier = identifier
        self.journalAvailable = JournalWriter.isAvailable()
    }

    public func record(_ event: AuditEvent) {
        let fields = event.journalFields(identifier: identifier)
        if journalAvailable {
            do {
                try writer.send(fields)
                return
            } catch {
                writeLine("audit event lost by the journal (\(error)); ", event: event)
                return
            }
        }
        writeLine("", event: event)
    }

    private func writeLine(_ prefix: String, event: AuditEvent) {
        let details = event.fields.sorted { $0.key < $1.key }.map { "\($0.key.rawValue.lowercased())=\($0.value)" }.joined(separator: " ")
        let line = "AUDIT \(prefix)\(event.kind.rawValue): \(event.message) \(details)\n"
        _ = line.withCString { pointer in write(STDERR_FILENO, pointer, strlen(pointer)) }
    }
}
