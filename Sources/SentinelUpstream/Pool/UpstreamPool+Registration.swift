extension UpstreamPool {
    /// A new client whose notifications `run()` forwards until the pool drops it.
    struct Registration: Sendable {
        var server: String
        var client: any UpstreamClient
        var dropped: AsyncStream<Void>
    }
}
