import NIOCore

/// A `TaskExecutor` that runs jobs on one NIO event loop.
///
/// A connection's handler task prefers its channel's event loop, so a request is parsed, answered
/// and written without hopping between NIO's threads and the global concurrent executor at every
/// `await`; upstream HTTP connections opened from there live on the same loop. `make bench` measured
/// the hops as most of the gateway's added latency (Benchmarks/README.md).
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute { job.runSynchronously(on: executor) }
    }
}
