/// How a tool call ended, as the audit records it.
enum ToolCallOutcome: String {
    case ok, error, denied, timeout, cancelled
    /// Refused with 429: the endpoint, or the caller's share of it, was running its maximum of concurrent calls.
    case throttled
}
