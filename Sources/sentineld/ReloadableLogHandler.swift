import Logging
import Synchronization

/// Holds the daemon-wide log level so that SIGHUP can change it for every logger.
final class SharedLogLevel: Sendable {
    private let raw: Atomic<Int>

    init(_ level: Logger.Level) {
        raw = Atomic(Self.index(of: level))
    }

    var level: Logger.Level {
        get { Logger.Level.allCases[raw.load(ordering: .relaxed)] }
        set { raw.store(Self.index(of: newValue), ordering: .relaxed) }
    }

    private static func index(of level: Logger.Level) -> Int {
        Logger.Level.allCases.firstIndex(of: level) ?? 2
    }
}

/// Wraps a handler so its level follows `SharedLogLevel`.
struct ReloadableLogHandler: LogHandler {
    var inner: any LogHandler
    let shared: SharedLogLevel

    var logLevel: Logger.Level {
        get { shared.level }
        set { shared.level = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        inner.log(event: event)
    }
}
