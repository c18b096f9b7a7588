import Logging

extension Logger.Level {
    /// The syslog priority (0 emergency … 7 debug) journald stores in `PRIORITY=`.
    ///
    /// swift-log has no emergency or alert level, so `critical` maps to 2 and
    /// both `trace` and `debug` map to 7.
    var syslogPriority: Int {
        switch self {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }
}
