public import Logging
internal import Glibc

/// A swift-log handler that writes one line per message to standard error.
///
/// The line reads `LEVEL label: message key=value …`, with metadata keys
/// sorted. Used when the journal is not there (development, tests, a terminal)
/// and as the journal handler's fallback.
public struct StderrLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    /// The logger's label, shown after the level.
    public let label: String

    /// Where lines go; standard error except in tests.
    let fileDescriptor: Int32

    /// Creates a handler for the logger `label`.
    public init(label: String, level: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = nil) {
        self.init(label: label, level: level, metadataProvider: metadataProvider, fileDescriptor: STDERR_FILENO)
    }

    init(label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider?, fileDescriptor: Int32) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.fileDescriptor = fileDescriptor
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = Self.mergedMetadata(
            handler: metadata, provider: metadataProvider, event: event.metadata, error: event.error)
        Self.write(
            Self.line(level: event.level, label: label, message: event.message.description, metadata: merged),
            to: fileDescriptor)
    }

    /// Formats `LEVEL label: message key=value …` without a trailing newline.
    static func line(level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var line = "\(level.rawValue.uppercased()) \(label): \(message)"
        for key in metadata.keys.sorted() {
            if let value = metadata[key] {
                line += " \(key)=\(value)"
            }
        }
        return line
    }

    /// Combines metadata as swift-log's own handlers do: the event's entries
    /// win over the provider's, which win over the handler's.
    static func mergedMetadata(
        handler: Logger.Metadata,
        provider: Logger.MetadataProvider?,
        event: Logger.Metadata?,
        error: (any Error)?
    ) -> Logger.Metadata {
        var merged = handler
        if let provided = provider?.get() {
            merged.merge(provided) { _, new in new }
        }
        if let event {
            merged.merge(event) { _, new in new }
        }
        if let error, merged["error"] == nil {
            merged["error"] = "\(error)"
        }
        return merged
    }

    /// Writes `line` and a newline with as few `write` calls as possible, so
    /// that concurrent lines do not interleave.
    static func write(_ line: String, to fileDescriptor: Int32) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}
