import SentinelUpstream
import ServiceLifecycle

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
