import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// `HTTPUpstreamTransport` over NIO HTTP/1.1, for plain-`http` upstreams on the loopback interface.
///
/// Keeps a pool of keep-alive connections (`TCP_NODELAY`) on the shared event loops and runs one
/// exchange at a time on each. Per call it costs one write and a few reads on an event loop, against
/// URLSession's libcurl multi handle, delegate queue and thread hops; `make bench` measured the
/// difference (Benchmarks/README.md). TLS is not spoken here: `https` upstreams use `HTTPURLSessionTransport`.
final class HTTPNIOTransport: HTTPUpstreamTransport {
    private let host: String
    private let port: Int
    private let path: String
    private let baseHeaders: HTTPHeaders
    private let group: any EventLoopGroup
    private let pool: HTTPNIOConnectionPool

    /// Whether this transport can serve `url`: plain `http` to a loopback host.
    static func serves(_ url: URL) -> Bool {
        guard url.scheme?.lowercased() == "http", let host = url.host?.lowercased() else { return false }
        return host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }

    /// - Parameters:
    ///   - headers: sent with every request (credentials, a user agent).
    ///   - maximumIdleConnections: connections kept open between exchanges; more may be open while busy.
    init(
        url: URL, headers: [(name: String, value: String)], maximumIdleConnections: Int = 32,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        var host = url.host ?? "127.0.0.1"
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host
        self.port = url.port ?? 80
        var path = url.path.isEmpty ? "/" : url.path
        if let query = url.query { path += "?" + query }
        self.path = path
        var base = HTTPHeaders()
        base.add(name: "Host", value: url.port.map { "\(url.host ?? host):\($0)" } ?? (url.host ?? host))
        for header in headers { base.replaceOrAdd(name: header.name, value: header.value) }
        self.baseHeaders = base
        self.group = group
        self.pool = HTTPNIOConnectionPool(maximumIdle: maximumIdleConnections)
    }

    deinit {
        pool.close()
    }

    func execute(_ request: HTTPUpstreamRequest) -> AsyncThrowingStream<HTTPResponsePart, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: HTTPResponsePart.self)
        let exchange = HTTPNIOExchange(head: head(for: request), body: request.body, idleTimeout: request.idleTimeout,
                                       deadline: request.deadline, continuation: continuation)
        continuation.onTermination = { termination in
            // The caller stopped reading or was cancelled: close the connection (the 2026-07-28 cancellation).
            if case .cancelled = termination { exchange.abort() }
        }
        run(exchange, mayRetry: true)
        return stream
    }

    func send(_ request: HTTPUpstreamRequest) {
        run(HTTPNIOExchange(head: head(for: request), body: request.body, idleTimeout: request.idleTimeout,
                            deadline: request.deadline, continuation: nil),
            mayRetry: true)
    }

    func shutdown() {
        pool.close()
    }

    var enforcesDeadlines: Bool { true }

    private func head(for request: HTTPUpstreamRequest) -> HTTPRequestHead {
        var headers = baseHeaders
        for header in request.headers { headers.replaceOrAdd(name: header.name, value: header.value) }
        headers.replaceOrAdd(name: "Content-Length", value: "\(request.body?.count ?? 0)")
        return HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: request.method), uri: path, headers: headers)
    }

    /// Runs `exchange` on an idle connection or a new one. A reused connection that turns out closed
    /// before answering (the server dropped it while idle) is retried once on a new connection.
    private func run(_ exchange: HTTPNIOExchange, mayRetry: Bool) {
        if pool.isClosed {
            exchange.fail(HTTPTransportError.connectFailed("the client was shut down"))
            return
        }
        // On an event loop (a gateway request runs on its connection's loop), stay on it: no thread hops.
        let current = MultiThreadedEventLoopGroup.currentEventLoop
        let loop = current ?? group.next()
        if let connection = pool.takeIdle(preferring: loop, local: current != nil) {
            connection.start(exchange) { [weak self] in
                guard mayRetry, let self else { return false }
                self.run(exchange, mayRetry: false)
                return true
            }
            return
        }
        let pool = self.pool
        let connection = HTTPNIOConnection(pool: pool)
        let timeout = TimeAmount.nanoseconds(max(1_000_000, exchange.idleTimeoutNanoseconds))
        ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(HTTPNIOConnectionHandler(connection: connection))
                }
            }
            .connect(host: host, port: port)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    if !pool.register(connection, channel: channel) {
                        channel.close(promise: nil)
                        exchange.fail(HTTPTransportError.connectFailed("the client was shut down"))
                        return
                    }
                    connection.start(exchange) { false }
                case .failure(let error):
                    exchange.fail(HTTPTransportError.connectFailed(Self.describe(error, host: self.host, port: self.port)))
                }
            }
    }

    static func describe(_ error: any Error, host: String, port: Int) -> String {
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first {
            return describe(first.error, host: host, port: port)
        }
        if let error = error as? IOError, error.errnoCode == ECONNREFUSED {
            return "connection refused (http://\(host):\(port))"
        }
        if error is ChannelError { return "connection failed (http://\(host):\(port)): \(error)" }
        return "\(error) (http://\(host):\(port))"
    }
}

/// Connections kept open between exchanges.
final class HTTPNIOConnectionPool: Sendable {
    private struct State {
        var idle: [HTTPNIOConnection] = []
        var open: [ObjectIdentifier: any Channel] = [:]
        var closed = false
    }

    private let state = Mutex(State())
    private let maximumIdle: Int

    init(maximumIdle: Int) {
        self.maximumIdle = maximumIdle
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    /// An idle connection on `loop`; one on another loop only when `loop` is not the caller's own
    /// (`local` false) or the pool already holds `maximumIdle` connections. Nil: open a new one.
    ///
    /// A call made on an event loop then stays on it (no wake-up of another thread per exchange).
    func takeIdle(preferring loop: any EventLoop, local: Bool) -> HTTPNIOConnection? {
        state.withLock { state in
            if let index = state.idle.lastIndex(where: { $0.eventLoop === loop }) {
                return state.idle.remove(at: index)
            }
            if local && state.open.count < maximumIdle { return nil }
            return state.idle.popLast()
        }
    }

    func register(_ connection: HTTPNIOConnection, channel: any Channel) -> Bool {
        state.withLock { state in
            guard !state.closed else { return false }
            state.open[ObjectIdentifier(connection)] = channel
            return true
        }
    }

    /// Back from an exchange; closed instead when the pool is full or shut down.
    func release(_ connection: HTTPNIOConnection) -> Bool {
        state.withLock { state in
            guard !state.closed, state.idle.count < maximumIdle, state.open[ObjectIdentifier(connection)] != nil else {
                return false
            }
            state.idle.append(connection)
            return true
        }
    }

    func forget(_ connection: HTTPNIOConnection) {
        state.withLock { state in
            state.open[ObjectIdentifier(connection)] = nil
            state.idle.removeAll { $0 === connection }
        }
    }

    func close() {
        let channels = state.withLock { state in
            state.closed = true
            state.idle = []
            defer { state.open = [:] }
            return Array(state.open.values)
        }
        for channel in channels { channel.close(promise: nil) }
    }
}

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

/// Passes a connection's events to its `HTTPNIOConnection`.
final class HTTPNIOConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let connection: HTTPNIOConnection

    init(connection: HTTPNIOConnection) {
        self.connection = connection
    }

    func handlerAdded(context: ChannelHandlerContext) {
        connection.handlerAdded(context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        connection.read(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.closed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
