public import Logging
public import SentinelCore
import NIOCore
import NIOPosix
import Synchronization

/// An MCP session with a stdio server: a child process speaking newline-delimited JSON-RPC.
///
/// `start()` spawns the command and completes the `initialize` handshake; requests are then
/// multiplexed over the one process with ids of the client's own. When the process exits, the
/// requests in flight fail with `.connectionLost` and the next `start()` spawns a new one.
/// `shutdown()` is final: it stops the process and ends `notifications`; make a new client to
/// serve the server again.
public final class StdioUpstreamClient: UpstreamClient {
    /// The protocol revision requested in `initialize`.
    public static let protocolVersion = MCPProtocol.latestHandshakeVersion

    /// The configuration this client spawns; a changed server needs a new client.
    public let server: Server
    /// Notifications the server sends on its own; ends at `shutdown()`.
    public let notifications: AsyncStream<UpstreamNotification>

    private let clientName: String
    private let clientVersion: String
    private let logger: Logger
    private let stderrLine: @Sendable (String) -> Void
    private let stopTimeout: Duration
    private let faults: UpstreamProtocolFaults?
    private let eventLoop: any EventLoop
    private let notificationSink: AsyncStream<UpstreamNotification>.Continuation
    private let state = Mutex(State())
    private let requestIDs = Atomic<Int>(0)
    private let progressTokens = Atomic<Int>(0)

    private enum Phase {
        case idle
        /// Spawning and initializing; the connection is set once the process runs.
        case starting(StdioConnection?)
        case running(StdioConnection)
    }

    private struct State {
        var phase: Phase = .idle
        /// Callers of `start()` waiting for the start already under way.
        var startWaiters: [CheckedContinuation<Result<Void, UpstreamError>, Never>] = []
        /// Why the last process ended, for requests made while none runs.
        var lastLoss: String?
        /// How the last start failed, for callers that waited for it.
        var lastStartFailure: UpstreamError?
        /// What the server declared in its last `initialize` result.
        var capabilities: ServerCapabilities?
        var isShutDown = false
    }

    /// - Parameters:
    ///   - stderrLine: receives each line the server writes to stderr; by default it is logged
    ///     at notice level with `server` metadata, so it lands in the journal tagged with the server.
    ///   - stopTimeout: how long `shutdown()` waits after SIGTERM before SIGKILL.
    ///   - faults: where the server's protocol faults are counted (dropped output, unattributable errors).
    public init(
        server: Server,
        clientName: String = "sentinel",
        clientVersion: String,
        logger: Logger,
        stderrLine: (@Sendable (String) -> Void)? = nil,
        stopTimeout: Duration = .seconds(5),
        faults: UpstreamProtocolFaults? = nil
    ) {
        self.server = server
        self.clientName = clientName
        self.clientVersion = clientVersion
        var logger = logger
        logger[metadataKey: "server"] = "\(server.name)"
        self.logger = logger
        self.stderrLine = stderrLine ?? { [logger] line in logger.notice("\(line)") }
        self.stopTimeout = stopTimeout
        self.faults = faults
        self.eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        (notifications, notificationSink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1024))
    }

    deinit {
        // A client dropped without shutdown() must not leave its child behind.
        switch state.withLock({ $0.phase }) {
        case .running(let connection), .starting(let connection?): connection.lose(.connectionLost("the client was released"))
        default: break
        }
        notificationSink.finish()
    }

    /// The `capabilities` of the last `initialize` result (a restarted process answers it again).
    public var capabilities: ServerCapabilities? {
        state.withLock { $0.capabilities }
    }

    /// The running child's process id, nil while no process serves requests.
    public var processIdentifier: Int32? {
        if case .running(let connection) = state.withLock({ $0.phase }) { return connection.pid }
        return nil
    }

    // MARK: - Starting

    public func start() async throws(UpstreamError) {
        enum Next { case running, wait, begin }
        let next = try state.withLock { state throws(UpstreamError) -> Next in
            if state.isShutDown { throw .spawnFailed("the client for \(server.name) has been shut down") }
            switch state.phase {
            case .running: return .running
            case .starting: return .wait
            case .idle:
                state.phase = .starting(nil)
                return .begin
            }
        }
        switch next {
        case .running:
            return
        case .wait:
            // Bounded by the connect timeout of the start under way.
            let outcome = await withCheckedContinuation { continuation in
                let outcome = state.withLock { state -> Result<Void, UpstreamError>? in
                    switch state.phase {
                    case .starting:
                        state.startWaiters.append(continuation)
                        return nil
                    case .running: return .success(())
                    case .idle:
                        return .failure(state.lastStartFailure ?? .connectionLost(state.lastLoss ?? "the start failed"))
                    }
                }
                if let outcome { continuation.resume(returning: outcome) }
            }
            try outcome.get()
        case .begin:
            let outcome: Result<Void, UpstreamError>
            do {
                try await spawnAndInitialize()
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            let waiters = state.withLock { state in
                if case .failure(let error) = outcome { state.lastStartFailure = error }
                defer { state.startWaiters = [] }
                return state.startWaiters
            }
            waiters.forEach { $0.resume(returning: outcome) }
            try outcome.get()
        }
    }

    private func spawnAndInitialize() async throws(UpstreamError) {
        let connection: StdioConnection
        do {
            let launch = try ProcessLaunch(server: server)
            connection = try await StdioConnection.launch(
                launch, eventLoop: eventLoop, stopTimeout: stopTimeout, logger: logger,
                events: StdioConnection.Events(
                    notification: { [notificationSink] in notificationSink.yield($0) },
                    stderrLine: stderrLine,
                    protocolFault: { [faults, name = server.name] _ in faults?.record(server: name) },
                    lost: { [weak self] connection, error in self?.connectionLost(connection, error) }))
        } catch {
            state.withLock { state in
                state.phase = .idle
                state.lastLoss = error.description
            }
            logger.error("cannot start stdio server", metadata: ["error": "\(error)"])
            throw error
        }
        let shutDownMeanwhile = state.withLock { state in
            if !state.isShutDown { state.phase = .starting(connection) }
            return state.isShutDown
        }
        if shutDownMeanwhile {
            await connection.terminate()
            throw .spawnFailed("the client for \(server.name) has been shut down")
        }
        logger.debug("spawned stdio server", metadata: ["pid": "\(connection.pid)"])

        do {
            try await initialize(connection)
        } catch {
            if case UpstreamError.connectionLost = error {
                await connection.waitForStderrToEnd(within: .milliseconds(500))
            }
            let failure = handshakeFailure(error, connection: connection)
            connection.lose(failure)
            state.withLock { state in
                state.phase = .idle
                state.lastLoss = failure.description
            }
            logger.error("stdio server failed to initialize", metadata: ["error": "\(failure)"])
            throw failure
        }

        let outcome = state.withLock { state -> UpstreamError? in
            if state.isShutDown { return .spawnFailed("the client for \(server.name) has been shut down") }
            // The process may have died between its answer and now; then the next start respawns.
            if let loss = connection.loss {
                state.phase = .idle
                state.lastLoss = Self.reason(loss)
                return .handshakeFailed(Self.reason(loss))
            }
            state.phase = .running(connection)
            return nil
        }
        if let outcome {
            await connection.terminate()
            throw outcome
        }
        logger.info("stdio server is ready", metadata: ["pid": "\(connection.pid)"])
    }

    private func initialize(_ connection: StdioConnection) async throws {
        let params = RawJSON.object([
            ("protocolVersion", RawJSON(string: Self.protocolVersion)),
            ("capabilities", .emptyObject),
            ("clientInfo", RawJSON.object([("name", RawJSON(string: clientName)), ("version", RawJSON(string: clientVersion))])),
        ])
        let id = nextRequestID()
        let result = try await connection.call(
            id: id, message: JSONRPC.request(id: Self.idText(id), method: "initialize", params: params),
            timeout: .seconds(server.connectTimeoutSeconds), progressToken: nil, progress: nil, sendsCancellation: false)
        let members: [String: Range<Int>]
        do {
            members = try JSONScanner.members(of: result.bytes)
        } catch {
            throw UpstreamError.handshakeFailed("the initialize result is not an object")
        }
        guard let versionRange = members["protocolVersion"],
            let version = try? RawJSON(result.bytes[versionRange]).decoded().stringValue
        else { throw UpstreamError.handshakeFailed("the initialize result has no protocolVersion") }
        let capabilities = members["capabilities"].flatMap { ServerCapabilities(bytes: result.bytes, in: $0) }
        state.withLock { $0.capabilities = capabilities }
        logger.debug("initialized stdio server", metadata: ["protocolVersion": "\(version)"])
        connection.notify("notifications/initialized", params: nil)
    }

    /// Turns whatever ended the handshake into one error that says what the admin can act on.
    private func handshakeFailure(_ error: any Error, connection: StdioConnection) -> UpstreamError {
        let detail: String
        switch error {
        case UpstreamError.timeout:
            detail = "no answer to initialize within \(server.connectTimeoutSeconds) s"
        case UpstreamError.rpc(let code, let message, _):
            detail = "initialize failed with error \(code): \(message)"
        case UpstreamError.connectionLost(let why):
            detail = "the process \(why) before answering initialize"
        case UpstreamError.handshakeFailed(let why):
            detail = why
        case let error as UpstreamError:
            detail = error.description
        case is CancellationError:
            detail = "the start was cancelled"
        default:
            detail = "\(error)"
        }
        if let line = connection.lastStderrLine, !line.isEmpty {
            return .handshakeFailed("\(detail) (last stderr line: \(line))")
        }
        return .handshakeFailed(detail)
    }

    private func connectionLost(_ connection: StdioConnection, _ error: UpstreamError) {
        let wasRunning = state.withLock { state in
            guard case .running(let current) = state.phase, current === connection else { return false }
            state.phase = .idle
            state.lastLoss = Self.reason(error)
            return true
        }
        if wasRunning {
            logger.warning("stdio server connection ended", metadata: ["reason": "\(Self.reason(error))"])
        }
    }

    // MARK: - Requests

    public func request(
        _ method: String, params: RawJSON?, timeout: Duration, progress: (@Sendable (RawJSON) -> Void)?
    ) async throws -> RawJSON {
        let connection = try state.withLock { state throws(UpstreamError) -> StdioConnection in
            guard case .running(let connection) = state.phase else {
                throw .connectionLost(state.lastLoss ?? "the server is not started")
            }
            return connection
        }
        let id = nextRequestID()
        var params = params
        var token: String?
        if progress != nil {
            let newToken = "sentinel-\(progressTokens.wrappingAdd(1, ordering: .relaxed).newValue)"
            params = ProgressTokenInjector.params(params, withProgressToken: RawJSON(string: newToken))
            token = newToken
        }
        return try await connection.call(
            id: id, message: JSONRPC.request(id: Self.idText(id), method: method, params: params), timeout: timeout,
            progressToken: token, progress: progress)
    }

    // MARK: - Stopping

    public func shutdown() async {
        let connection = state.withLock { state -> StdioConnection? in
            state.isShutDown = true
            switch state.phase {
            case .running(let connection):
                state.phase = .idle
                state.lastLoss = "the client was shut down"
                return connection
            case .starting(let connection):
                // The start sees isShutDown and fails; stopping the process here ends its handshake sooner.
                return connection
            case .idle:
                return nil
            }
        }
        await connection?.terminate()
        notificationSink.finish()
    }

    // MARK: - Helpers

    private func nextRequestID() -> Int {
        requestIDs.wrappingAdd(1, ordering: .relaxed).newValue
    }

    private static func idText(_ id: Int) -> RawJSON {
        RawJSON(Array(String(id).utf8))
    }

    /// The reason inside a connection error ("exited with status 3"), for the next error message.
    private static func reason(_ error: UpstreamError) -> String {
        if case .connectionLost(let why) = error { return why }
        return error.description
    }
}
