public import Logging
internal import Glibc

/// A swift-log handler that writes each message as a structured journal entry.
///
/// Fields: `MESSAGE`, `PRIORITY` (syslog 7 for trace and debug … 2 for
/// critical), `SYSLOG_IDENTIFIER`, `CODE_FILE`, `CODE_LINE`, `CODE_FUNC`,
/// `SENTINEL_LOGGER` (the logger's label) and one `SENTINEL_<KEY>` per
/// metadata entry, its key upper-cased with other characters than `A–Z` and
/// `0–9` turned into `_`. So `logger[metadataKey: "endpoint"]` is queried
/// with `journalctl SENTINEL_ENDPOINT=eng`.
///
/// When the journal socket is missing or a send fails, the message goes to
/// standard error in ``StderrLogHandler``'s format instead, so it is never
/// lost silently.
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    /// The logger's label, written as `SENTINEL_LOGGER`.
    public let label: String
    /// The program name written as `SYSLOG_IDENTIFIER`, for example `sentineld`.
    public let identifier: String

    private let send: @Sendable ([(String, String)]) throws(JournalError) -> Void
    private let fallbackDescriptor: Int32

    /// Creates a handler for the logger `label`, tagging entries with `identifier`.
    ///
    /// Whether the journal socket exists is checked once, here.
    public init(
        label: String,
        identifier: String,
        level: Logger.Level = .info,
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        let writer = JournalWriter()
        let available = JournalWriter.isAvailable()
        self.init(
            label: label,
            identifier: identifier,
            level: level,
            metadataProvider: metadataProvider,
            fallbackDescriptor: STDERR_FILENO
        ) { fields throws(JournalError) in
            // sd_journal_sendv succeeds without a listener; report the loss instead.
            guard available else { throw .sendFailed(errno: ENOENT) }
            try writer.send(fields)
        }
    }

    init(
        label: String,
        identifier: String,
        level: Logger.Level,
        metadataProvider: Logger.MetadataProvider?,
        fallbackDescriptor: Int32,
        send: @escaping @Sendable ([(String, String)]) throws(JournalError) -> Void
    ) {
        self.label = label
        self.identifier = identifier
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.fallbackDescriptor = fallbackDescriptor
        self.send = send
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = StderrLogHandler.mergedMetadata(
            handler: metadata, provider: metadataProvider, event: event.metadata, error: event.error)
        let message = event.message.description
        do {
            try send(
                fields(
                    level: event.level, message: message, metadata: merged,
                    file: event.file, function: event.function, line: event.line))
        } catch {
            var fallback = merged
            fallback["journal_error"] = "\(error)"
            StderrLogHandler.write(
                StderrLogHandler.line(level: event.level, label: label, message: message, metadata: fallback),
                to: fallbackDescriptor)
        }
    }

    /// The journal fields for one message, in the order they are sent.
    func fields(
        level: Logger.Level,
        message: String,
        metadata: Logger.Metadata,
        file: String,
        function: String,
        line: UInt
    ) -> [(String, String)] {
        var fields: [(String, String)] = [
            ("MESSAGE", message),
            ("PRIORITY", String(level.syslogPriority)),
            ("SYSLOG_IDENTIFIER", identifier),
            ("CODE_FILE", file),
            ("CODE_LINE", String(line)),
            ("CODE_FUNC", function),
            ("SENTINEL_LOGGER", label),
        ]
        for key in metadata.keys.sorted() {
            if let value = metadata[key] {
                fields.append((Self.fieldName(forMetadataKey: key), "\(value)"))
            }
        }
        return fields
    }

    /// The journal field for a metadata key: `SENTINEL_` and the key upper-cased,
    /// every character other than ASCII letters and digits turned into `_`,
    /// cut to the journal's 64-character limit.
    static func fieldName(forMetadataKey key: String) -> String {
        let prefix = "SENTINEL_"
        var name = prefix
        for scalar in key.unicodeScalars {
            guard name.utf8.count < JournalWriter.maximumFieldNameLength else { break }
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                name.unicodeScalars.append(contentsOf: String(scalar).uppercased().unicodeScalars)
            } else {
                name.append("_")
            }
        }
        return name
    }
}
