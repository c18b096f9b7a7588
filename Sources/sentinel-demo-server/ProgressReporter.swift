import SentinelCore

/// Sends `notifications/progress` for one request that asked for it with `_meta.progressToken`.
struct ProgressReporter: Sendable {
    let token: JSONValue
    let output: LineWriter
    /// False once the request was cancelled or answered: no progress may follow either.
    let isLive: @Sendable () -> Bool

    func report(progress: Double, total: Double, message: String) {
        guard isLive() else { return }
        output.write(
            JSONRPC.notification(
                method: "notifications/progress",
                params: RawJSON([
                    "progressToken": token, "progress": .double(progress), "total": .double(total),
                    "message": .string(message),
                ])))
    }
}
