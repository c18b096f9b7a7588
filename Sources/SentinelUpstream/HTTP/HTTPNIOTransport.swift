import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

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
