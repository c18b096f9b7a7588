extension UpstreamPool {
    /// One pooled client and what the pool knows of it.
    final class Entry {
        let key: UpstreamKey
        let client: any UpstreamClient
        let usage: Usage
        let dropSink: AsyncStream<Void>.Continuation
        let handle: PooledClient
        var phase: Phase = .stopped

        init(key: UpstreamKey, client: any UpstreamClient, usage: Usage, dropSink: AsyncStream<Void>.Continuation, handle: PooledClient) {
            self.key = key
            self.client = client
            self.usage = usage
            self.dropSink = dropSink
            self.handle = handle
        }
    }
}
