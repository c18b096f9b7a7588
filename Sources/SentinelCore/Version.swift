/// Sentinel's version, shown by `--version`, `GetInfo` and `sentinelctl status`.
public enum SentinelVersion {
    public static let current = "0.1.0"
}
