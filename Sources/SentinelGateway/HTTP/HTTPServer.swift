public import Hummingbird
import HummingbirdCore
public import Logging
public import NIOCore
import NIOExtras
public import NIOPosix
public import SentinelCore
public import ServiceLifecycle
import Synchronization

/// The HTTP/1.1 listener: Hummingbird's HTTP1Channel and router on a socket we own.
///
/// Hummingbird's own `Application` can only bind an address; systemd hands us
/// an already listening socket, so the server is assembled here from NIO's
/// `ServerBootstrap` (which takes either) and Hummingbird's child channel.
public final class HTTPServer: Service, Sendable {
    /// Where the server listens.
    public enum Listener: Sendable {
        case address(ListenAddress)
        /// A listening socket passed by systemd.
        case fileDescriptor(Int32)
    }

    private let listener: Listener
    let responder: RouterResponder<GatewayRequestContext>
    private let group: any EventLoopGroup
    let logger: Logger
    private let observer: (any ActivityObserver)?
    private let stopTimeout: Duration
    let limits: @Sendable () -> HTTPConnectionLimits
    let admission = ConnectionAdmission()
    private let boundAddress = Mutex<SocketAddress?>(nil)
    private let connections = Mutex<[ObjectIdentifier: any Channel]>([:])
    private let onShutdown: @Sendable () -> Void
    private let listening = Mutex<[CheckedContinuation<Void, Never>]?>([])
    private let isListening = Mutex(false)

    /// - Parameter limits: read as each connection is accepted (connection caps, deadlines, trusted proxies).
    public init(
        listener: Listener,
        router: Router<GatewayRequestContext>,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger,
        observer: (any ActivityObserver)? = nil,
        stopTimeout: Duration = .seconds(10),
        limits: @escaping @Sendable () -> HTTPConnectionLimits = { HTTPConnectionLimits() },
        onShutdown: @escaping @Sendable () -> Void = {}
    ) {
        self.onShutdown = onShutdown
        self.listener = listener
        self.responder = router.buildResponder()
        self.group = group
        self.logger = logger
        self.observer = observer
        self.stopTimeout = stopTimeout
        self.limits = limits
    }

    /// The bound address once listening (useful with port 0).
    public var localAddress: SocketAddress? { boundAddress.withLock { $0 } }

    /// Returns once the socket is listening (true), or `run` has failed to listen (false: `run` throws why).
    @discardableResult
    public func waitUntilListening() async -> Bool {
        await withCheckedContinuation { continuation in
            let done = listening.withLock { waiters -> Bool in
                guard waiters != nil else { return true }
                waiters!.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
        return isListening.withLock { $0 }
    }

    private func markListening() {
        let waiters = listening.withLock { waiters -> [CheckedContinuation<Void, Never>] in
            defer { waiters = nil }
            return waiters ?? []
        }
        for waiter in waiters { waiter.resume() }
    }

    public func run() async throws {
        let logger = self.logger
        let quiesce = ServerQuiescingHelper(group: group)
        let bootstrap = ServerBootstrap(group: group)
            // As sentineld.socket's Backlog=: a burst beyond the queue drops SYNs, and clients retry a second later.
            .serverChannelOption(ChannelOptions.backlog, value: 1024)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { serverChannel in
                serverChannel.eventLoop.makeCompletedFuture {
                    try serverChannel.pipeline.syncOperations.addHandler(quiesce.makeServerChannelHandler(channel: serverChannel))
                }
            }
            // A client that half-closes is gone: closing the channel lets open streams and calls notice.
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: false)
            .childChannelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<AcceptedConnection> = { self.accept($0) }
        let serverChannel: NIOAsyncChannel<AcceptedConnection, Never>
        do {
            switch listener {
            case .address(let address):
                serverChannel = try await bootstrap.bind(
                    host: address.host, port: address.port, serverBackPressureStrategy: nil, childChannelInitializer: initializer)
            case .fileDescriptor(let descriptor):
                serverChannel = try await bootstrap.bind(descriptor, childChannelInitializer: initializer)
            }
        } catch {
            markListening()
            throw HTTPServerError(listener: listener, underlying: error)
        }
        boundAddress.withLock { $0 = serverChannel.channel.localAddress }
        isListening.withLock { $0 = true }
        markListening()
        logger.info("HTTP listening on \(serverChannel.channel.localAddress.map { "\($0)" } ?? "inherited socket")")

        let observer = self.observer
        let stopTimeout = self.stopTimeout
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { tasks in
                do {
                    try await serverChannel.executeThenClose { inbound in
                        for try await accepted in inbound {
                            guard case .serve(let http1, let connection) = accepted else { continue }
                            let key = ObjectIdentifier(connection.channel)
                            self.connections.withLock { $0[key] = connection.channel }
                            tasks.addTask(executorPreference: EventLoopTaskExecutor(connection.channel.eventLoop)) {
                                observer?.connectionOpened()
                                await http1.handle(value: connection, logger: logger)
                                self.connections.withLock { _ = $0.removeValue(forKey: key) }
                                observer?.connectionClosed()
                            }
                        }
                    }
                } catch {
                    if !(error is CancellationError) { logger.error("HTTP accept loop ended: \(error)") }
                }
            }
        } onGracefulShutdown: {
            // Stop accepting; open connections finish the request in flight and close. Event streams
            // (GET, subscriptions/listen) end now; whatever is still open past the bound is cut off.
            self.onShutdown()
            let promise = serverChannel.channel.eventLoop.makePromise(of: Void.self)
            quiesce.initiateShutdown(promise: promise)
            serverChannel.channel.eventLoop.scheduleTask(in: .nanoseconds(Int64(stopTimeout.components.seconds) * 1_000_000_000)) {
                let open = self.connections.withLock { Array($0.values) }
                if !open.isEmpty { self.logger.notice("closing \(open.count) connection(s) still open after the stop timeout") }
                for connection in open { connection.close(promise: nil) }
            }
        }
    }
}
