import SentinelCore

extension UpstreamPool {
    /// The client handed to callers: the pooled client, with its calls recorded.
    struct PooledClient: UpstreamClient {
        let inner: any UpstreamClient
        let usage: Usage
        /// Weak: the pool holds its clients, and a client must not keep a dropped pool alive.
        weak var pool: UpstreamPool?
        let server: Server
        let owner: String?

        func start() async throws(UpstreamError) {
            guard let pool else { throw .spawnFailed("the upstream pool has been released") }
            do {
                _ = try await pool.client(for: server, owner: owner)
            } catch let error as UpstreamError {
                throw error
            } catch {
                throw .handshakeFailed("the start was cancelled")
            }
        }

        func request(_ method: String, params: RawJSON?, timeout: Duration, progress: (@Sendable (RawJSON) -> Void)?)
            async throws -> RawJSON
        {
            try await request(method, params: params, headers: [], timeout: timeout, progress: progress)
        }

        func request(
            _ method: String, params: RawJSON?, headers: [(name: String, value: String)], timeout: Duration,
            progress: (@Sendable (RawJSON) -> Void)?
        ) async throws -> RawJSON {
            usage.callStarted()
            do {
                let result = try await inner.request(method, params: params, headers: headers, timeout: timeout, progress: progress)
                usage.callEnded(nil)
                return result
            } catch {
                usage.callEnded(error)
                throw error
            }
        }

        /// The pooled client's: they are read at each start, so a restarted upstream's are current.
        var capabilities: ServerCapabilities? { inner.capabilities }

        /// Always empty: the pool forwards the client's notifications to `UpstreamPool.notifications`.
        var notifications: AsyncStream<UpstreamNotification> {
            AsyncStream { $0.finish() }
        }

        /// Stops this client in the pool; the next `client(for:)` starts a new one.
        func shutdown() async {
            await pool?.stop(key: UpstreamKey(server: server.name, owner: owner), usage: usage)
        }
    }
}
