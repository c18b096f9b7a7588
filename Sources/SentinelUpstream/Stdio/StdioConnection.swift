#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging
import NIOCore
import NIOPosix
import SentinelCore
import Synchronization

/// One child process of a stdio server and the JSON-RPC traffic on its pipes.
///
/// It owns the process's request map: every continuation it registers is resumed exactly once,
/// by the response, the timeout, the caller's cancellation or the loss of the process. A new
/// process gets a new connection, so nothing a dead child said can reach a live request.
///
/// The pipes are NIO pipe channels: reads need no thread per child, writes never block a
/// thread when the child stops reading, and SIGPIPE is ignored by NIO.
final class StdioConnection: Sendable {
    /// Where the connection reports what the process does on its own.
    struct Events: Sendable {
        var notification: @Sendable (UpstreamNotification) -> Void
        var stderrLine: @Sendable (String) -> Void
        /// A message the process wrote had to be dropped (see `UpstreamProtocolFaults`); says why.
        var protocolFault: @Sendable (String) -> Void = { _ in }
        /// Called once, when the process can no longer serve requests.
        var lost: @Sendable (StdioConnection, UpstreamError) -> Void
    }

    /// A response or notification longer than this ends the connection.
    static let maximumLineLength = 16 * 1024 * 1024
    /// Longer stderr lines are passed on in pieces.
    static let maximumStderrLineLength = 64 * 1024
    /// How long one of "the process exited" and "its stdout closed" waits for the other: the
    /// last response may still be in the pipe when the exit is reported, and a grandchild may
    /// hold stdout open after the process itself is gone.
    static let exitGrace: Duration = .seconds(1)

    let eventLoop: any EventLoop
    private let process: Process
    private let events: Events
    private let stopTimeout: Duration
    private let logger: Logger
    private let state = Mutex(State())

    private struct Pending {
        var continuation: CheckedContinuation<RawJSON, any Error>
        var progressToken: String?
        var timer: Scheduled<Void>?
    }

    private struct State {
        var channel: (any Channel)?
        var stderrChannel: (any Channel)?
        var pending: [Int: Pending] = [:]
        var progressRoutes: [String: @Sendable (RawJSON) -> Void] = [:]
        /// Why requests can no longer be served; set once.
        var loss: UpstreamError?
        /// How the process ended, once it has been reaped.
        var exit: String?
        var outputClosed = false
        var stopping = false
        var killTimer: Scheduled<Void>?
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
        /// Set once the process group has no member left, or SIGKILL has been sent to it; after
        /// that its id is never signalled again (it may name another group by then).
        var groupEnded = false
        var groupWaiters: [CheckedContinuation<Void, Never>] = []
        var recentStderr: [String] = []
        var stderrClosed = false
        var nextStderrWaiter = 0
        var stderrWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private init(process: Process, eventLoop: any EventLoop, stopTimeout: Duration, logger: Logger, events: Events) {
        self.process = process
        self.eventLoop = eventLoop
        self.stopTimeout = stopTimeout
        self.logger = logger
        self.events = events
    }

    /// The child's process id (also its process group id).
    var pid: Int32 { process.processIdentifier }

    /// How often a stopping process group is checked for members once its leader is gone.
    static let groupPollInterval: TimeAmount = .milliseconds(50)

    /// Why the connection can no longer serve requests, or nil while it can.
    var loss: UpstreamError? { state.withLock { $0.loss } }

    /// The child's last stderr line, to explain a failed start.
    var lastStderrLine: String? { state.withLock { $0.recentStderr.last } }

    // MARK: - Starting

    /// Spawns the process and attaches its pipes.
    static func launch(
        _ launch: ProcessLaunch, eventLoop: any EventLoop, stopTimeout: Duration, logger: Logger, events: Events
    ) async throws(UpstreamError) -> StdioConnection {
        var descriptors: [Int32] = []
        func makePipe() throws(UpstreamError) -> (read: Int32, write: Int32) {
            var pair: [Int32] = [-1, -1]
            guard pipe(&pair) == 0 else {
                let reason = String(cString: strerror(errno))
                descriptors.forEach { _ = close($0) }
                throw .spawnFailed("cannot create a pipe: \(reason)")
            }
            // Other children must not inherit the parent's ends, or EOF would never reach this one.
            _ = fcntl(pair[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(pair[1], F_SETFD, FD_CLOEXEC)
            descriptors += pair
            return (pair[0], pair[1])
        }
        let input = try makePipe()
        let output = try makePipe()
        let errors = try makePipe()

        let process = Process()
        process.executableURL = URL(fileURLWithPath: launch.executable)
        process.arguments = launch.arguments
        process.environment = launch.environment
        if let directory = launch.workingDirectory {
            process.currentDirectoryURL = URL(fileURLWithPath: directory, isDirectory: true)
        }
        process.standardInput = FileHandle(fileDescriptor: input.read, closeOnDealloc: false)
        process.standardOutput = FileHandle(fileDescriptor: output.write, closeOnDealloc: false)
        process.standardError = FileHandle(fileDescriptor: errors.write, closeOnDealloc: false)

        let connection = StdioConnection(
            process: process, eventLoop: eventLoop, stopTimeout: stopTimeout, logger: logger, events: events)
        process.terminationHandler = { [weak connection] finished in
            let description =
                finished.terminationReason == .uncaughtSignal
                ? "was killed by signal \(finished.terminationStatus)"
                : "exited with status \(finished.terminationStatus)"
            connection?.processDidExit(description)
        }
        do {
            try process.run()
        } catch {
            descriptors.forEach { _ = close($0) }
            throw .spawnFailed("\(launch.executable): \(error.localizedDescription)")
        }
        // The child has its own copies (and Foundation puts it in its own process group).
        _ = close(input.read)
        _ = close(output.write)
        _ = close(errors.write)

        let channel: any Channel
        do {
            channel = try await NIOPipeBootstrap(group: eventLoop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers(
                            ByteToMessageHandler(StdioLineDecoder(maximumLength: maximumLineLength, overflow: .fail)),
                            StdioLineHandler(
                                onLine: { connection.receive($0) },
                                onError: { connection.outputFailed($0) },
                                onClose: { connection.outputDidClose() }))
                    }
                }
                .takingOwnershipOfDescriptors(input: output.read, output: input.write).get()
        } catch {
            _ = close(output.read)
            _ = close(input.write)
            _ = close(errors.read)
            connection.stop()
            throw .spawnFailed("cannot attach to the pipes of \(launch.executable): \(error)")
        }
        let stderrChannel: any Channel
        do {
            stderrChannel = try await NIOPipeBootstrap(group: eventLoop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers(
                            ByteToMessageHandler(
                                StdioLineDecoder(maximumLength: maximumStderrLineLength, overflow: .split)),
                            StdioLineHandler(
                                onLine: { connection.receiveStderr($0) }, onClose: { connection.stderrDidClose() }))
                    }
                }
                .takingOwnershipOfDescriptor(input: errors.read).get()
        } catch {
            _ = close(errors.read)
            channel.close(promise: nil)
            connection.stop()
            throw .spawnFailed("cannot attach to the stderr of \(launch.executable): \(error)")
        }
        let exitedAlready = connection.state.withLock { state in
            state.channel = channel
            state.stderrChannel = stderrChannel
            return state.exit != nil
        }
        if exitedAlready { connection.closePipesAfterGrace() }
        return connection
    }

    // MARK: - Requests

    /// Sends a request and waits for its response, its timeout or the caller's cancellation.
    ///
    /// With `sendsCancellation` false (initialize, which MCP forbids cancelling) a timeout or
    /// cancellation only stops waiting.
    func call(
        id: Int, message: RawJSON, timeout: Duration, progressToken: String?,
        progress: (@Sendable (RawJSON) -> Void)?, sendsCancellation: Bool = true
    ) async throws -> RawJSON {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<RawJSON, any Error>) in
                let refusal: (any Error)? = state.withLock { state in
                    if let loss = state.loss { return loss }
                    // A cancellation that came first has already run its handler and found nothing to cancel.
                    if Task.isCancelled { return CancellationError() }
                    state.pending[id] = Pending(continuation: continuation, progressToken: progressToken, timer: nil)
                    if let progressToken, let progress { state.progressRoutes[progressToken] = progress }
                    return nil
                }
                if let refusal {
                    continuation.resume(throwing: refusal)
                    return
                }
                let timer = eventLoop.scheduleTask(in: timeAmount(timeout)) {
                    self.abandon(
                        id, with: UpstreamError.timeout(timeout),
                        reason: sendsCancellation ? "timed out after \(Self.describe(timeout))" : nil)
                }
                let stillPending = state.withLock { state in
                    guard state.pending[id] != nil else { return false }
                    state.pending[id]?.timer = timer
                    return true
                }
                if !stillPending { timer.cancel() }
                write(message)?.whenFailure { error in
                    self.abandon(id, with: UpstreamError.connectionLost("cannot write to the server: \(error)"), reason: nil)
                }
            }
        } onCancel: {
            abandon(id, with: CancellationError(), reason: sendsCancellation ? "cancelled by the client" : nil)
        }
    }

    /// Sends a notification; losing it with the process is fine, since a lost process is reported anyway.
    func notify(_ method: String, params: RawJSON?) {
        write(JSONRPC.notification(method: method, params: params))
    }

    /// Stops waiting for request `id`; with a `reason`, tells the upstream to stop working on it.
    private func abandon(_ id: Int, with error: any Error, reason: String?) {
        let pending = state.withLock { state -> Pending? in
            guard let pending = state.pending.removeValue(forKey: id) else { return nil }
            if let token = pending.progressToken { state.progressRoutes[token] = nil }
            return pending
        }
        guard let pending else { return }
        pending.timer?.cancel()
        pending.continuation.resume(throwing: error)
        if let reason {
            notify(
                "notifications/cancelled",
                params: RawJSON.object([("requestId", RawJSON(Array(String(id).utf8))), ("reason", RawJSON(string: reason))]))
        }
    }

    @discardableResult
    private func write(_ message: RawJSON) -> EventLoopFuture<Void>? {
        guard let channel = state.withLock({ $0.channel }) else { return nil }
        var buffer = channel.allocator.buffer(capacity: message.bytes.count + 1)
        // Valid JSON has raw CR/LF only as whitespace between tokens (never inside strings), and a
        // pretty-printed payload forwarded from a client would otherwise break the line framing.
        if message.bytes.contains(where: { $0 == 0x0A || $0 == 0x0D }) {
            buffer.writeBytes(message.bytes.map { $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 })
        } else {
            buffer.writeBytes(message.bytes)
        }
        buffer.writeInteger(UInt8(0x0A))
        return channel.writeAndFlush(buffer)
    }

    // MARK: - Reading

    private func receive(_ line: [UInt8]) {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
        let message: JSONRPCMessage
        do {
            message = try JSONRPCMessage(parsing: line)
        } catch {
            refuse(line, error)
            return
        }
        switch message.kind {
        case .response, .errorResponse:
            guard let idText = message.id?.text else {
                receiveErrorWithoutID(message)
                return
            }
            // Unknown ids are answers to requests that timed out or were cancelled.
            guard let id = Int(idText), let pending = takePending(id) else { return }
            if let result = message.result {
                pending.continuation.resume(returning: message.raw(result))
            } else if let error = message.error {
                let details = message.errorDetails ?? (0, "")
                pending.continuation.resume(
                    throwing: UpstreamError.rpc(code: details.code, message: details.message, raw: message.raw(error)))
            }
        case .notification:
            let method = message.method ?? ""
            let params = message.params.map { message.raw($0) }
            switch method {
            case "notifications/progress":
                guard let tokenRange = message.paramsMembers["progressToken"],
                    let token = message.decode(tokenRange)?.stringValue,
                    let route = state.withLock({ $0.progressRoutes[token] }),
                    let params
                else { return }
                route(params)
            case "notifications/cancelled":
                // The gateway answers every upstream request at once, so there is nothing to cancel.
                break
            default:
                events.notification(UpstreamNotification(method: method, params: params))
            }
        case .request:
            guard let id = message.id else { return }
            if message.method == "ping" {
                write(JSONRPC.result(id: id, result: .emptyObject))
            } else {
                write(
                    JSONRPC.error(
                        id: id, code: JSONRPCErrorCode.methodNotFound,
                        message: "Sentinel does not offer \(message.method ?? "this method") to upstream servers"))
            }
        }
    }

    /// Removes request `id` from the map (with its progress route and timer); nil if it is not waiting.
    private func takePending(_ id: Int) -> Pending? {
        let pending = state.withLock { state -> Pending? in
            guard let pending = state.pending.removeValue(forKey: id) else { return nil }
            if let token = pending.progressToken { state.progressRoutes[token] = nil }
            return pending
        }
        pending?.timer?.cancel()
        return pending
    }

    /// An error response with `"id": null`: the server could not read some message (typically a parse error).
    /// With exactly one request in flight it can only be that one's answer, so that call fails now with
    /// the server's error instead of waiting for its timeout; otherwise nobody can be told, and it is a
    /// protocol fault of the server.
    private func receiveErrorWithoutID(_ message: JSONRPCMessage) {
        guard let error = message.error else { return }
        let details = message.errorDetails ?? (0, "")
        let taken = state.withLock { state -> (id: Int, pending: Pending)? in
            guard state.pending.count == 1, let (id, pending) = state.pending.first else { return nil }
            state.pending[id] = nil
            if let token = pending.progressToken { state.progressRoutes[token] = nil }
            return (id, pending)
        }
        if let taken {
            taken.pending.timer?.cancel()
            logger.notice(
                "the server answered with an error without an id; taken as the answer to the one request in flight",
                metadata: ["request": "\(taken.id)", "code": "\(details.code)", "message": "\(details.message)"])
            taken.pending.continuation.resume(
                throwing: UpstreamError.rpc(code: details.code, message: details.message, raw: message.raw(error)))
            return
        }
        let inFlight = state.withLock { $0.pending.count }
        fault(
            "answered with error \(details.code) (\(details.message)) without an id, with \(inFlight) requests in flight",
            line: message.bytes)
    }

    /// A line that is not an acceptable JSON-RPC message. When it is an answer whose only fault is its
    /// text (not UTF-8, or a lone surrogate escape), it still names its request: that call fails now,
    /// since its answer can be neither used nor passed on.
    private func refuse(_ line: [UInt8], _ error: JSONRPCMessage.Invalid) {
        if let lenient = try? JSONRPCMessage(parsing: line, allowingInvalidUnicode: true),
            lenient.kind == .response || lenient.kind == .errorResponse,
            let id = lenient.id.flatMap({ Int($0.text) }), let pending = takePending(id)
        {
            fault("answered request \(id) with text that is not valid UTF-8 JSON: \(error.message)", line: line)
            pending.continuation.resume(
                throwing: UpstreamError.protocolViolation("the answer is not valid UTF-8 JSON (RFC 8259 §8.1): \(error.message)"))
            return
        }
        fault("wrote a line on stdout that is not JSON-RPC: \(error.message)", line: line)
    }

    /// Logs and reports a message that had to be dropped.
    private func fault(_ why: String, line: [UInt8]) {
        logger.warning(
            "protocol fault of the stdio server",
            metadata: ["reason": "\(why)", "line": "\(String(decoding: line.prefix(200), as: UTF8.self))"])
        events.protocolFault(why)
    }

    private func receiveStderr(_ line: [UInt8]) {
        let text = String(decoding: line, as: UTF8.self)
        state.withLock { state in
            state.recentStderr.append(text)
            if state.recentStderr.count > 5 { state.recentStderr.removeFirst() }
        }
        events.stderrLine(text)
    }

    private func stderrDidClose() {
        let waiters = state.withLock { state in
            state.stderrClosed = true
            defer { state.stderrWaiters = [:] }
            return state.stderrWaiters.values
        }
        waiters.forEach { $0.resume() }
    }

    /// Waits until everything the process wrote to stderr has been read (or `limit` passed), so
    /// that an early exit can be explained with the process's last words.
    func waitForStderrToEnd(within limit: Duration) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let id = state.withLock { state -> Int? in
                if state.stderrClosed { return nil }
                defer { state.nextStderrWaiter += 1 }
                state.stderrWaiters[state.nextStderrWaiter] = continuation
                return state.nextStderrWaiter
            }
            guard let id else {
                continuation.resume()
                return
            }
            eventLoop.scheduleTask(in: timeAmount(limit)) {
                self.state.withLock { $0.stderrWaiters.removeValue(forKey: id) }?.resume()
            }
        }
    }

    private func outputFailed(_ error: any Error) {
        if let tooLong = error as? StdioLineDecoder.LineTooLong {
            lose(.protocolViolation("wrote \(tooLong) on stdout"))
        } else {
            lose(.connectionLost("cannot read from the server: \(error)"))
        }
    }

    // MARK: - The end of the process

    private func outputDidClose() {
        let exit = state.withLock { state in
            state.outputClosed = true
            return state.exit
        }
        if let exit {
            lose(.connectionLost(exit))
            return
        }
        eventLoop.scheduleTask(in: timeAmount(Self.exitGrace)) {
            let exit = self.state.withLock { $0.exit }
            self.lose(.connectionLost(exit ?? "closed its standard output"))
        }
    }

    private func processDidExit(_ description: String) {
        let (outputClosed, waiters) = state.withLock { state in
            state.exit = description
            defer { state.exitWaiters = [] }
            return (state.outputClosed, state.exitWaiters)
        }
        waiters.forEach { $0.resume() }
        // The leader is gone, not necessarily its group: a stop under way keeps its SIGKILL for what is left.
        watchGroup()
        if outputClosed {
            lose(.connectionLost(description))
        } else {
            closePipesAfterGrace()
        }
    }

    /// Closes the pipes a short while after the exit, for when a grandchild keeps them open;
    /// closing stdout reports the loss through `outputDidClose`.
    private func closePipesAfterGrace() {
        eventLoop.scheduleTask(in: timeAmount(Self.exitGrace)) {
            let (channel, stderrChannel) = self.state.withLock { ($0.channel, $0.stderrChannel) }
            channel?.close(promise: nil)
            stderrChannel?.close(promise: nil)
        }
    }

    /// Fails every request in flight with `error` (once) and makes sure the process goes away.
    func lose(_ error: UpstreamError) {
        let taken = state.withLock { state -> (pending: [Pending], channel: (any Channel)?)? in
            guard state.loss == nil else { return nil }
            state.loss = error
            let pending = Array(state.pending.values)
            state.pending.removeAll()
            state.progressRoutes.removeAll()
            return (pending, state.channel)
        }
        guard let taken else { return }
        for pending in taken.pending {
            pending.timer?.cancel()
            pending.continuation.resume(throwing: error)
        }
        // Closing stdin is the polite stop; most servers exit on EOF before the SIGTERM lands.
        taken.channel?.close(promise: nil)
        stop()
        events.lost(self, error)
    }

    /// Sends SIGTERM to the process group, and SIGKILL to whatever is left of it after the stop
    /// timeout, even when the leader has exited meanwhile; Foundation reaps the leader.
    ///
    /// A server's children stay in its group unless they leave it (`setsid`, `setpgid`): those are
    /// not reached here, and need the server's own cgroup.
    func stop() {
        let start = state.withLock { state in
            guard !state.groupEnded, !state.stopping else { return false }
            state.stopping = true
            return true
        }
        guard start else { return }
        signalGroup(SIGTERM)
        let killTimer = eventLoop.scheduleTask(in: timeAmount(stopTimeout)) {
            self.logger.warning(
                "stdio server's process group outlived SIGTERM; sending SIGKILL",
                metadata: ["pid": "\(self.pid)", "after": "\(Self.describe(self.stopTimeout))"])
            self.signalGroup(SIGKILL)
            self.endGroup()
        }
        state.withLock { $0.killTimer = killTimer }
        watchGroup()
    }

    /// Signals the whole process group, so wrappers like `npx` or `sh -c` take their children along.
    ///
    /// The group's id is the leader's pid. While any member is alive, or a zombie, the kernel does not
    /// hand that id out again, so the group may be signalled after the leader was reaped. Once the
    /// group is seen empty (`watchGroup`) it is never signalled again.
    private func signalGroup(_ signal: Int32) {
        state.withLock { state in
            guard !state.groupEnded else { return }
            let pid = process.processIdentifier
            guard pid > 0 else { return }
            if kill(-pid, signal) != 0, state.exit == nil {
                // Not a group leader after all (it cannot have left its group before exec): the process alone.
                _ = kill(pid, signal)
            }
        }
    }

    /// Once the leader has exited, checks the group for members until none is left or SIGKILL is sent.
    private func watchGroup() {
        let (ended, stopping) = state.withLock { state -> (Bool, Bool) in
            guard state.exit != nil, !state.groupEnded else { return (state.groupEnded, false) }
            let pid = process.processIdentifier
            if pid <= 0 || (kill(-pid, 0) != 0 && errno == ESRCH) { return (true, false) }
            return (false, state.stopping)
        }
        if ended {
            endGroup()
        } else if stopping {
            eventLoop.scheduleTask(in: Self.groupPollInterval) { self.watchGroup() }
        }
    }

    /// Marks the group as done with: no more signals to its id, and `terminate()` may return.
    private func endGroup() {
        let (killTimer, waiters) = state.withLock { state -> (Scheduled<Void>?, [CheckedContinuation<Void, Never>]) in
            guard !state.groupEnded else { return (nil, []) }
            state.groupEnded = true
            defer {
                state.groupWaiters = []
                state.killTimer = nil
            }
            return (state.killTimer, state.groupWaiters)
        }
        killTimer?.cancel()
        waiters.forEach { $0.resume() }
    }

    /// Ends the process and its group: in-flight requests fail, stdin closes, SIGTERM then SIGKILL;
    /// returns once the process is reaped and its group is empty or killed.
    func terminate() async {
        lose(.connectionLost("the server was stopped"))
        stop()
        await waitForExit()
        await waitForGroupToEnd()
        let stderrChannel = state.withLock { $0.stderrChannel }
        // Give the last stderr lines a moment to be read; close it for good after the grace.
        if stderrChannel?.isActive == true { closePipesAfterGrace() }
    }

    /// Returns once no member of the process group is left, or SIGKILL has been sent to those that are.
    func waitForGroupToEnd() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ended = state.withLock { state in
                if state.groupEnded { return true }
                state.groupWaiters.append(continuation)
                return false
            }
            if ended { continuation.resume() }
        }
    }

    func waitForExit() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let exited = state.withLock { state in
                if state.exit != nil { return true }
                state.exitWaiters.append(continuation)
                return false
            }
            if exited { continuation.resume() }
        }
    }
}

/// A `Duration` as NIO's `TimeAmount`, capped at ten years so it cannot overflow.
private func timeAmount(_ duration: Duration) -> TimeAmount {
    let (seconds, attoseconds) = duration.components
    let cappedSeconds = min(max(seconds, 0), 315_360_000)
    return .nanoseconds(cappedSeconds * 1_000_000_000 + (seconds < 0 ? 0 : attoseconds / 1_000_000_000))
}

extension StdioConnection {
    /// "3 s", "250 ms": a duration for messages.
    static func describe(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 || seconds >= 10 { return "\(seconds) s" }
        return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000) ms"
    }
}
