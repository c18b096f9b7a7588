import SentinelCore
import SentinelGateway
import SentinelUpstream
import ServiceLifecycle

/// The gateway's view of the upstream pool.
struct PooledUpstreams: UpstreamProvider {
    let pool: UpstreamPool

    func client(for server: Server) async throws -> any UpstreamClient {
        try await pool.client(for: server)
    }

    func invalidate(server: String) async {
        await pool.invalidate(server: server)
    }
}

/// Runs the pool's housekeeping (idle stops) and stops every upstream on shutdown.
struct UpstreamPoolService: Service {
    let pool: UpstreamPool

    func run() async throws {
        // run() ends only when cancelled, and then shuts every upstream down itself.
        await cancelWhenGracefulShutdown {
            await pool.run()
        }
    }
}
