extension UpstreamPool {
    /// How a start ended, as its waiters learn it.
    enum StartOutcome: Sendable {
        case started
        case failed(UpstreamError)
        /// The starting caller was cancelled, or the entry was replaced: look again.
        case retry
    }
}
