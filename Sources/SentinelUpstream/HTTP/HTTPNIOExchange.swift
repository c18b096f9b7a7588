import NIOCore
import NIOHTTP1
import Synchronization

/// One request and where its response goes. `continuation` is nil for fire-and-forget requests.
final class HTTPNIOExchange: Sendable {
    let head: HTTPRequestHead
    let body: [UInt8]?
    let idleTimeoutNanoseconds: Int64
    /// When the call must have ended; the exchange then fails with `DeadlineReached`.
    let deadline: NIODeadline?
    private let continuation: AsyncThrowingStream<HTTPResponsePart, any Error>.Continuation?
    /// The connection running the exchange, so that `abort()` can close it.
    private let runner = Mutex<(connection: HTTPNIOConnection?, aborted: Bool)>((nil, false))

    init(
        head: HTTPRequestHead, body: [UInt8]?, idleTimeout: Duration, deadline: ContinuousClock.Instant?,
        continuation: AsyncThrowingStream<HTTPResponsePart, any Error>.Continuation?
    ) {
        self.head = head
        self.body = body
        self.deadline = deadline.map { deadline in
            let (seconds, attoseconds) = (deadline - ContinuousClock.now).components
            return NIODeadline.now() + .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        }
        let (seconds, attoseconds) = idleTimeout.components
        self.idleTimeoutNanoseconds = max(1, seconds) * 1_000_000_000 + attoseconds / 1_000_000_000
        self.continuation = continuation
    }

    /// Whether the exchange may run on `connection` (false once aborted).
    func attach(_ connection: HTTPNIOConnection?) -> Bool {
        runner.withLock { runner in
            runner.connection = connection
            return !runner.aborted
        }
    }

    func abort() {
        let connection = runner.withLock { runner in
            runner.aborted = true
            return runner.connection
        }
        connection?.abort(self)
    }

    func yield(_ part: HTTPResponsePart) { continuation?.yield(part) }
    func finish() { continuation?.finish() }
    func fail(_ error: any Error) { continuation?.finish(throwing: error) }
}
