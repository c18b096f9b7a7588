/// Resolves when the peer cancels one request.
struct CancellationSignal: Sendable {
    let stream: AsyncStream<Void>

    /// True when the peer cancelled; false when the waiting task was cancelled or the request finished.
    func wait() async -> Bool {
        for await _ in stream { return true }
        return false
    }
}
