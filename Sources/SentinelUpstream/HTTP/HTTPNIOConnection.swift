import NIOCore
import NIOHTTP1

/// One keep-alive connection; everything but `start` and `abort` runs on its event loop.
final class HTTPNIOConnection: @unchecked Sendable {
    private let pool: HTTPNIOConnectionPool
    // Confined to the channel's event loop.
    private var channel: (any Channel)?
    private var context: ChannelHandlerContext?
    private var current: HTTPNIOExchange?
    private var retry: (@Sendable () -> Bool)?
    private var sawHead = false
    private var keepAlive = true
    private var timer: Scheduled<Void>?
    /// When the exchange last heard from the server; the idle timer re-arms itself from it.
    private var lastActivity = NIODeadline.now()
    private var isClosed = false

    init(pool: HTTPNIOConnectionPool) {
        self.pool = pool
    }

    /// The loop the connection lives on (set before the connection is pooled).
    private(set) var eventLoop: (any EventLoop)?

    func handlerAdded(_ context: ChannelHandlerContext) {
        self.context = context
        self.channel = context.channel
        self.eventLoop = context.eventLoop
    }

    /// Runs `exchange`; `retry` is called (and returns true) when a reused connection was found closed.
    func start(_ exchange: HTTPNIOExchange, retry: @escaping @Sendable () -> Bool) {
        guard let channel else {
            exchange.fail(HTTPTransportError.connectFailed("the connection is not open"))
            return
        }
        let loop = channel.eventLoop
        if loop.inEventLoop {
            run(exchange, on: channel, retry: retry)
        } else {
            loop.execute { self.run(exchange, on: channel, retry: retry) }
        }
    }

    private func run(_ exchange: HTTPNIOExchange, on channel: any Channel, retry: @escaping @Sendable () -> Bool) {
        guard exchange.attach(self) else {
            self.current = nil
            self.returnToPool()
            return
        }
        guard !self.isClosed, let context = self.context, channel.isActive else {
            self.pool.forget(self)
            if !retry() { exchange.fail(HTTPTransportError.connectFailed("the connection closed")) }
            return
        }
        self.current = exchange
        self.retry = retry
        self.sawHead = false
        self.lastActivity = .now()
        self.armTimer()
        context.write(NIOAny(HTTPClientRequestPart.head(exchange.head)), promise: nil)
        if let body = exchange.body, !body.isEmpty {
            context.write(NIOAny(HTTPClientRequestPart.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        context.writeAndFlush(NIOAny(HTTPClientRequestPart.end(nil)), promise: nil)
    }

    func abort(_ exchange: HTTPNIOExchange) {
        channel?.eventLoop.execute {
            guard self.current === exchange else { return }
            self.current = nil
            self.close()
            exchange.fail(CancellationError())
        }
    }

    func read(_ part: HTTPClientResponsePart) {
        guard let exchange = current else { return }
        lastActivity = .now()
        switch part {
        case .head(let head):
            sawHead = true
            keepAlive = head.isKeepAlive
            var headers: [String: String] = [:]
            for header in head.headers where headers[header.name] == nil { headers[header.name] = header.value }
            exchange.yield(.head(HTTPResponseHead(status: Int(head.status.code), headers: headers)))
        case .body(let buffer):
            exchange.yield(.body(Array(buffer.readableBytesView)))
        case .end:
            current = nil
            timer?.cancel()
            timer = nil
            exchange.finish()
            if keepAlive { returnToPool() } else { close() }
        }
    }

    func closed() {
        isClosed = true
        timer?.cancel()
        timer = nil
        pool.forget(self)
        guard let exchange = current else { return }
        current = nil
        if !sawHead, let retry, retry() { return }
        exchange.fail(
            sawHead
                ? HTTPTransportError.connectionLost("the connection was closed")
                : HTTPTransportError.connectFailed("the connection closed before a response"))
    }

    private func returnToPool() {
        if !pool.release(self) { close() }
    }

    private func close() {
        guard !isClosed else { return }
        isClosed = true
        pool.forget(self)
        context?.close(promise: nil)
    }

    /// One timer per exchange: at the idle limit (counted from the last byte) or the deadline, whichever
    /// is first; when it fires early because bytes arrived meanwhile, it arms itself again.
    private func armTimer() {
        timer?.cancel()
        guard let exchange = current, let channel else { return }
        var fireAt = lastActivity + .nanoseconds(exchange.idleTimeoutNanoseconds)
        if let deadline = exchange.deadline, deadline < fireAt { fireAt = deadline }
        timer = channel.eventLoop.scheduleTask(deadline: fireAt) {
            guard self.current === exchange else { return }
            let now = NIODeadline.now()
            let deadlinePassed = exchange.deadline.map { now >= $0 } ?? false
            if !deadlinePassed, now < self.lastActivity + .nanoseconds(exchange.idleTimeoutNanoseconds) {
                self.armTimer()
                return
            }
            self.current = nil
            self.close()
            if deadlinePassed {
                exchange.fail(DeadlineReached())
                return
            }
            exchange.fail(
                self.sawHead
                    ? HTTPTransportError.connectionLost("timed out")
                    : HTTPTransportError.connectFailed("timed out"))
        }
    }
}
