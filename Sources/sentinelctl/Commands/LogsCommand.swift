import ArgumentParser
import Foundation
import SentinelCore
import SentinelSystemd

struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Show Sentinel's audit events from the journal.",
        discussion: """
            Reads the same entries as 'journalctl SENTINEL_EVENT=…', filtered by the options \
            (different options must all match). Reading the system journal needs root or \
            membership in 'adm' or 'systemd-journal'. When the journal holds no Sentinel entry at \
            all, it asks sentineld where it writes them (standard error when it started without a \
            journal), says so in one line and exits 1; with --follow it says so and keeps waiting.
            """)

    @Option(help: "Only this endpoint.") var endpoint: String?
    @Option(help: "Only this upstream server.") var server: String?
    @Option(help: "Only this tool (upstream name or exposed name).") var tool: String?
    @Option(help: "Only this user.") var user: String?
    @Option(help: "Only this event kind, e.g. tool-call, config-changed.") var event: String?
    @Option(help: "Only this outcome: ok, error, denied, timeout, cancelled.") var outcome: String?
    @Option(help: "Only entries since: an RFC 3339 time, YYYY-MM-DD[ HH:MM[:SS]] (UTC), or an age like 30min, 2h, 1d.")
    var since: String?
    @Option(name: [.customShort("n"), .customLong("lines")], help: "Show only the last N entries.") var lines: Int?
    @Flag(name: [.customShort("f"), .customLong("follow")], help: "Keep printing new entries.") var follow = false
    @Option(name: [.customShort("D"), .customLong("directory")], help: "Read journal files from this directory.")
    var directory: String?
    /// `--json` (one JSON object per entry), and the daemon to ask when the journal holds nothing.
    @OptionGroup var connection: ConnectionOptions
    var json: Bool { connection.json }

    func validate() throws {
        if let event, AuditEventKind(rawValue: event) == nil {
            throw ValidationError("unknown event '\(event)'; one of \(AuditEventKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let lines, lines < 0 { throw ValidationError("--lines must not be negative") }
        if let since, Self.parseSince(since, now: Date()) == nil {
            throw ValidationError("cannot read --since '\(since)'")
        }
    }

    func run() throws {
        do {
            let reader = try JournalReader(directory: directory)
            try addMatches(reader)
            var printed = 0
            if let lines {
                try reader.seekTail()
                var entries: [JournalEntry] = []
                while entries.count < lines, let entry = try reader.previous() {
                    if let start = sinceMicroseconds(), entry.realtime < start { break }
                    entries.append(entry)
                }
                for entry in entries.reversed() { printEntry(entry) }
                printed = entries.count
                // Continue after the newest entry printed.
                try reader.seekTail()
                _ = try reader.previous()
            } else {
                if let start = sinceMicroseconds() {
                    try reader.seek(sinceRealtimeMicroseconds: start)
                } else {
                    try reader.seekHead()
                }
                while let entry = try reader.next() {
                    printEntry(entry)
                    printed += 1
                }
            }
            if printed == 0, lines != 0, let absence = try absenceOfSentinelEntries() {
                guard follow else { throw CLIError(message: absence) }
                FileHandle.standardError.write(Data("sentinelctl: \(absence)\n".utf8))
            }
            guard follow else { return }
            while true {
                _ = try reader.wait(timeout: .seconds(1))
                while let entry = try reader.next() { printEntry(entry) }
            }
        } catch let error as JournalError {
            throw CLIError(message: "cannot read the journal: \(error)")
        }
    }

    /// One line saying where sentineld writes its audit events, when the journal read holds none of
    /// them at all (not merely none that match the filters); nil when it does.
    private func absenceOfSentinelEntries() throws -> String? {
        let any = try JournalReader(directory: directory)
        for kind in AuditEventKind.allCases { try any.addMatch("MESSAGE_ID", kind.messageID) }
        try any.seekHead()
        if try any.next() != nil { return nil }
        let none = "no Sentinel audit entries in " + (directory.map { "the journal files in \($0)" } ?? "the journal")
        guard let connected = try? connection.connect(), let status = try? connected.call("GetStatus")["status"] else {
            return "\(none), and sentineld did not answer at \(connection.resolvedAddress) to say where it writes them"
        }
        let daemon = "sentineld (pid \(Output.text(status["pid"])))"
        switch status["audit_target"]?.stringValue {
        case "stderr":
            return "\(none): \(daemon) writes them to its standard error, not to the journal "
                + "(no journal was reachable when it started)"
        case "journal":
            return "\(none), though \(daemon) writes them there: none yet, or this user may not read them "
                + "(root and members of 'adm' or 'systemd-journal' may)"
        default:
            return none
        }
    }

    private func addMatches(_ reader: JournalReader) throws {
        guard let tool else { return try addFilters(reader, toolField: nil) }
        // A tool may be named by its upstream name or its exposed name: sd-journal ANDs different
        // fields, so the two alternatives are separate match groups, each with every other filter.
        try addFilters(reader, toolField: ("SENTINEL_TOOL", tool))
        try reader.addDisjunction()
        try addFilters(reader, toolField: ("SENTINEL_EXPOSED_NAME", tool))
    }

    private func addFilters(_ reader: JournalReader, toolField: (String, String)?) throws {
        if let event {
            try reader.addMatch("SENTINEL_EVENT", event)
        } else {
            for kind in AuditEventKind.allCases { try reader.addMatch("MESSAGE_ID", kind.messageID) }
        }
        if let endpoint { try reader.addMatch("SENTINEL_ENDPOINT", endpoint) }
        if let server { try reader.addMatch("SENTINEL_SERVER", server) }
        if let user { try reader.addMatch("SENTINEL_USER", user) }
        if let outcome { try reader.addMatch("SENTINEL_OUTCOME", outcome) }
        if let (field, value) = toolField { try reader.addMatch(field, value) }
    }

    private func sinceMicroseconds() -> UInt64? {
        guard let since, let date = Self.parseSince(since, now: Date()) else { return nil }
        return UInt64(max(0, date.timeIntervalSince1970) * 1_000_000)
    }

    static func parseSince(_ text: String, now: Date) -> Date? {
        if let seconds = try? parseTimeSpan(text), text.contains(where: \.isLetter) {
            return now.addingTimeInterval(-Double(seconds))
        }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        for format in ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    private func printEntry(_ entry: JournalEntry) {
        if json {
            var object: [String: JSONValue] = entry.fields.mapValues { .string($0) }
            object["__REALTIME_TIMESTAMP"] = .string(String(entry.realtime))
            object["__CURSOR"] = .string(entry.cursor)
            print(JSONValue.object(object).text())
        } else {
            let time = Date(timeIntervalSince1970: Double(entry.realtime) / 1_000_000).ISO8601Format()
            let interesting = ["ENDPOINT", "SERVER", "TOOL", "PROMPT", "URI", "USER", "CLIENT", "OUTCOME", "DURATION_US", "ACTION", "PEER_UID"]
            let details = interesting.compactMap { key in entry[field: "SENTINEL_" + key].map { "\(key.lowercased())=\($0)" } }
            print("\(time) \(entry[field: "SENTINEL_EVENT"] ?? "-") \(details.joined(separator: " ")) | \(entry[field: "MESSAGE"] ?? "")")
        }
        fflush(nil)
    }
}
