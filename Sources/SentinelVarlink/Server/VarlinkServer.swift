import Foundation
public import Logging
public import NIOCore
public import NIOPosix
#if canImport(Glibc)
import Glibc
#endif
public import SentinelCore
public import ServiceLifecycle
import Synchronization

/// A varlink server on a unix socket: NUL-framed JSON calls, answered in order.
///
/// Calls are checked against each interface's IDL before a handler sees them.
/// A malformed or oversized message closes that connection only. A client that
/// half-closes after its calls gets their replies, then the close. Connections
/// beyond `maximumConnections` (root: `rootHeadroom` more) are closed at once,
/// so idle clients cannot take the daemon's descriptors. On graceful
/// shutdown it stops accepting, lets each connection finish the call it is in,
/// and ends open `more` streams.
public final class VarlinkServer: Service, Sendable {
    /// Where the server listens.
    public enum Listener: Sendable {
        /// Bind a new socket at this path (an existing socket file is replaced), with this mode and, when given,
        /// this group.
        case path(String, mode: mode_t, group: gid_t? = nil)
        /// A socket already bound and listening, passed by systemd.
        case fileDescriptor(Int32)
    }

    private let listener: Listener
    private let interfaces: [String: any VarlinkInterface]
    private let info: VarlinkServiceInfo
    private let group: any EventLoopGroup
    private let logger: Logger
    private let observer: (any ActivityObserver)?
    private let maximumMessageBytes: Int
    private let connections = Mutex<[ObjectIdentifier: any Channel]>([:])
    private let boundSignal = OneShotSignal()
    private let isListening = Mutex(false)
    private let maximumConnections: @Sendable () -> Int
    private let admitted = Mutex(AdmittedConnections())

    /// Connections root may open beyond `maximumConnections`, so an administrator gets in while others hold the limit.
    public static let rootHeadroom = 4

    private struct AdmittedConnections {
        var open = 0
        var lastRefusalLog: ContinuousClock.Instant?
    }

    public init(
        listener: Listener,
        interfaces: [any VarlinkInterface],
        info: VarlinkServiceInfo,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger,
        observer: (any ActivityObserver)? = nil,
        maximumMessageBytes: Int = 1 << 20,
        maximumConnections: @escaping @Sendable () -> Int = { DaemonConfiguration().controlMaxConnections }
    ) {
        self.listener = listener
        var table: [String: any VarlinkInterface] = [:]
        for interface in interfaces { table[interface.definition.name] = interface }
        self.interfaces = table
        self.info = info
        self.group = group
        self.logger = logger
        self.observer = observer
        self.maximumMessageBytes = maximumMessageBytes
        self.maximumConnections = maximumConnections
    }

    /// Counts a new connection from `uid` in, or refuses it (false) when the limit is reached.
    private func admit(uid: UInt32) -> Bool {
        let limit = maximumConnections()
        let (admitted, logRefusal) = self.admitted.withLock { state -> (Bool, Bool) in
            if state.open < limit || (uid == 0 && state.open < limit + Self.rootHeadroom) {
                state.open += 1
                return (true, false)
            }
            let now = ContinuousClock.now
            if let last = state.lastRefusalLog, now - last < .seconds(10) { return (false, false) }
            state.lastRefusalLog = now
            return (false, true)
        }
        if logRefusal {
            logger.notice("refusing control connections: [Control] MaxConnections=\(limit) are open", metadata: ["peer_uid": "\(uid)"])
        }
        return admitted
    }

    /// A name beside `path` to bind under before renaming; `path` itself when the longer name would not fit in
    /// a unix socket address (107 bytes).
    static func stagingPath(for path: String) -> String {
        let staging = path + ".\(getpid()).new"
        return staging.utf8.count < 108 ? staging : path
    }

    /// Returns once the socket is listening (true), or `run` has failed to listen (false: `run` throws why).
    @discardableResult
    public func waitUntilListening() async -> Bool {
        await boundSignal.wait()
        return isListening.withLock { $0 }
    }

    public func run() async throws {
        let maximum = maximumMessageBytes
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            // A client may send its call and shut down its writing side: it still gets the reply (then the close).
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
        // nil: refused (over the connection limit) and closed.
        let initializer: @Sendable (any Channel) -> EventLoopFuture<(NIOAsyncChannel<ByteBuffer, ByteBuffer>, VarlinkPeer)?> = { channel in
            PeerCredentials.read(from: channel).flatMapThrowing { peer in
                guard self.admit(uid: peer.uid) else {
                    channel.close(promise: nil)
                    return nil
                }
                channel.closeFuture.whenComplete { _ in self.admitted.withLock { $0.open -= 1 } }
                try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(NULFrameDecoder(maximumBytes: maximum)))
                let asyncChannel = try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                return (asyncChannel, peer)
            }
        }
        let serverChannel: NIOAsyncChannel<(NIOAsyncChannel<ByteBuffer, ByteBuffer>, VarlinkPeer)?, Never>
        do {
            switch listener {
            case .path(let path, let mode, let group):
                // Bound under a staging name, given its mode and group, then renamed into place: the socket never
                // appears at `path` with the umask's mode or the daemon's group.
                let staging = Self.stagingPath(for: path)
                serverChannel = try await bootstrap.bind(
                    unixDomainSocketPath: staging, cleanupExistingSocketFile: true, childChannelInitializer: initializer)
                chmod(staging, mode)
                if let group, chown(staging, uid_t.max, group) != 0 {
                    logger.warning("cannot give the control socket \(path) to group \(group): \(String(cString: strerror(errno)))")
                }
                if staging != path, rename(staging, path) != 0 {
                    let reason = String(cString: strerror(errno))
                    unlink(staging)
                    try? await serverChannel.channel.close()
                    throw VarlinkServerError.cannotPlaceSocket(path: path, reason: reason)
                }
            case .fileDescriptor(let descriptor):
                serverChannel = try await bootstrap.bind(descriptor, childChannelInitializer: initializer)
            }
        } catch let error as VarlinkServerError {
            boundSignal.fire()
            throw error
        } catch {
            boundSignal.fire()
            throw VarlinkServerError.cannotListen(listener: listener, underlying: error)
        }
        isListening.withLock { $0 = true }
        boundSignal.fire()
        logger.debug("varlink server listening")
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                do {
                    try await serverChannel.executeThenClose { inbound in
                        for try await accepted in inbound {
                            guard let (connection, peer) = accepted else { continue }
                            group.addTask { await self.serve(connection, peer: peer) }
                        }
                    }
                } catch {
                    if !(error is CancellationError) { self.logger.error("varlink accept loop ended: \(error)") }
                }
            }
        } onGracefulShutdown: {
            serverChannel.channel.close(promise: nil)
            let open = self.connections.withLock { Array($0.values) }
            for channel in open {
                // Closing the read side ends the connection after the call in progress.
                channel.close(mode: .input).whenFailure { _ in channel.close(promise: nil) }
            }
        }
    }

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, peer: VarlinkPeer) async {
        let key = ObjectIdentifier(connection.channel)
        connections.withLock { $0[key] = connection.channel }
        observer?.connectionOpened()
        defer {
            connections.withLock { _ = $0.removeValue(forKey: key) }
            observer?.connectionClosed()
        }
        do {
            try await connection.executeThenClose { inbound, outbound in
                let inputClosed = OneShotSignal()
                let (messages, messageSink) = AsyncStream<ByteBuffer>.makeStream()
                await withTaskGroup(of: Void.self) { tasks in
                    tasks.addTask {
                        do {
                            for try await frame in inbound { messageSink.yield(frame) }
                        } catch {
                            self.logger.debug("varlink connection read ended: \(error)")
                        }
                        messageSink.finish()
                        inputClosed.fire()
                    }
                    tasks.addTask {
                        for await frame in messages {
                            let keepOpen = await self.process(frame, peer: peer, outbound: outbound, inputClosed: inputClosed)
                            if !keepOpen { break }
                        }
                    }
                    // Whichever ends first (peer gone, or a malformed message) ends the connection.
                    await tasks.next()
                    if inputClosed.hasFired {
                        await tasks.next()
                    }
                    tasks.cancelAll()
                }
            }
        } catch {
            logger.debug("varlink connection closed: \(error)")
        }
    }

    /// Handles one message. Returns false when the connection must be closed.
    private func process(
        _ frame: ByteBuffer, peer: VarlinkPeer, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, inputClosed: OneShotSignal
    ) async -> Bool {
        guard let message = try? JSONValue.parse(Data(frame.readableBytesView)), let call = VarlinkCall(message: message) else {
            logger.notice("malformed varlink message; closing connection", metadata: ["peer_uid": "\(peer.uid)"])
            return false
        }
        func send(_ reply: JSONValue) async -> Bool {
            guard !call.oneway else { return true }
            var buffer = ByteBuffer(bytes: reply.serialized())
            buffer.writeInteger(UInt8(0))
            do {
                try await outbound.write(buffer)
                return true
            } catch {
                return false
            }
        }
        func sendError(_ error: VarlinkError) async -> Bool {
            var reply: [String: JSONValue] = ["error": .string(error.name)]
            if !error.parameters.isEmpty { reply["parameters"] = .object(error.parameters) }
            return await send(.object(reply))
        }

        if [call.oneway, call.more, call.upgrade].filter({ $0 }).count > 1 {
            return await sendError(.invalidParameter(call.oneway ? "oneway" : "more"))
        }
        if call.upgrade { return await sendError(.invalidParameter("upgrade")) }

        let response: VarlinkResponse
        do {
            response = try await dispatch(call, peer: peer)
        } catch let error as VarlinkError {
            return await sendError(error)
        } catch {
            let interface = interfaces[call.interface]
            return await sendError(interface?.varlinkError(for: error) ?? .methodNotImplemented(call.method))
        }

        switch response {
        case .reply(let parameters):
            return await send(.object(["parameters": .object(parameters)]))
        case .stream(let stream):
            guard call.more else { return await sendError(.expectedMore) }
            // Stream until the handler finishes, the peer goes away, or we shut down.
            return await withTaskGroup(of: Bool.self) { tasks in
                tasks.addTask {
                    do {
                        for try await reply in stream {
                            var message: [String: JSONValue] = ["parameters": .object(reply.parameters)]
                            if reply.continues { message["continues"] = true }
                            guard await send(.object(message)) else { return false }
                            if !reply.continues { return true }
                        }
                    } catch let error as VarlinkError {
                        return await sendError(error)
                    } catch is CancellationError {
                        return false
                    } catch {
                        let interface = self.interfaces[call.interface]
                        return await sendError(interface?.varlinkError(for: error) ?? .methodNotImplemented(call.method))
                    }
                    // Ended without a final reply: the stream was cut off, so is the connection.
                    return false
                }
                tasks.addTask {
                    await inputClosed.wait()
                    return false
                }
                let result = await tasks.next() ?? false
                tasks.cancelAll()
                return result
            }
        }
    }

    private func dispatch(_ call: VarlinkCall, peer: VarlinkPeer) async throws -> VarlinkResponse {
        if call.interface == "org.varlink.service" {
            return try serviceCall(call)
        }
        guard let interface = interfaces[call.interface] else { throw VarlinkError.interfaceNotFound(call.interface) }
        guard interface.definition.methods[call.member] != nil else { throw VarlinkError.methodNotFound(call.method) }
        if let path = interface.definition.invalidParameter(in: call.parameters, method: call.member) {
            throw VarlinkError.invalidParameter(path)
        }
        return try await interface.handle(call, peer: peer)
    }

    private func serviceCall(_ call: VarlinkCall) throws -> VarlinkResponse {
        let definition = VarlinkServiceInterface.definition
        guard definition.methods[call.member] != nil else { throw VarlinkError.methodNotFound(call.method) }
        if let path = definition.invalidParameter(in: call.parameters, method: call.member) {
            throw VarlinkError.invalidParameter(path)
        }
        switch call.member {
        case "GetInfo":
            return .reply([
                "vendor": .string(info.vendor), "product": .string(info.product), "version": .string(info.version),
                "url": .string(info.url),
                "interfaces": .array((["org.varlink.service"] + interfaces.keys.sorted()).map { .string($0) }),
            ])
        case "GetInterfaceDescription":
            let name = call.parameters["interface"]?.stringValue ?? ""
            if name == "org.varlink.service" { return .reply(["description": .string(definition.text)]) }
            guard let interface = interfaces[name] else { throw VarlinkError.interfaceNotFound(name) }
            return .reply(["description": .string(interface.definition.text)])
        default:
            throw VarlinkError.methodNotImplemented(call.method)
        }
    }
}

/// Why the varlink server could not start.
public enum VarlinkServerError: Error, CustomStringConvertible {
    case cannotPlaceSocket(path: String, reason: String)
    /// Binding failed: `socket` names the path or the inherited descriptor.
    case cannotBind(socket: String, reason: String)

    static func cannotListen(listener: VarlinkServer.Listener, underlying: any Error) -> Self {
        let socket = switch listener {
        case .path(let path, _, _): path
        case .fileDescriptor(let descriptor): "the socket-activated descriptor \(descriptor)"
        }
        let reason = (underlying as? IOError).map { String(cString: strerror($0.errnoCode)) } ?? "\(underlying)"
        return .cannotBind(socket: socket, reason: reason)
    }

    public var description: String {
        switch self {
        case .cannotPlaceSocket(let path, let reason): "cannot create the control socket \(path): \(reason)"
        case .cannotBind(let socket, let reason): "cannot listen on the control socket \(socket): \(reason)"
        }
    }
}
