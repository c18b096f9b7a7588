import BenchSupport
import Histogram
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// When the run's phases start and end, and how many measured operations are left; shared by workers.
final class RunPlan: Sendable {
    let measureStart: NIODeadline
    let measureEnd: NIODeadline
    private let remaining: Atomic<Int>
    let bounded: Bool

    init(start: NIODeadline, options: LoadOptions) {
        measureStart = start + .nanoseconds(Int64(options.warmup * 1e9))
        measureEnd = measureStart + .nanoseconds(Int64(options.duration * 1e9))
        bounded = options.requests > 0
        remaining = Atomic(options.requests)
    }

    /// Whether another operation may start now, and whether it is measured.
    func next(now: NIODeadline) -> (go: Bool, measured: Bool) {
        if now >= measureEnd { return (false, false) }
        if now < measureStart { return (true, false) }
        if bounded, remaining.subtract(1, ordering: .relaxed).newValue < 0 { return (false, false) }
        return (true, true)
    }
}

/// What one worker saw in the measured phase.
struct WorkerStats {
    var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
    var ok = 0
    var errors = 0
    var statuses: [Int: Int] = [:]
    var firstError: String?
    var lastEnd: NIODeadline?
    var reconnects = 0

    mutating func merge(_ other: WorkerStats) {
        histogram.add(other.histogram)
        ok += other.ok
        errors += other.errors
        for (status, count) in other.statuses { statuses[status, default: 0] += count }
        if firstError == nil { firstError = other.firstError }
        if let end = other.lastEnd, lastEnd.map({ end > $0 }) ?? true { lastEnd = end }
        reconnects += other.reconnects
    }
}

/// One keep-alive connection issuing operations back to back (closed loop), reconnecting if it breaks.
final class Worker {
    let options: LoadOptions
    let requests: MCPRequests
    let loop: any EventLoop
    var plan: RunPlan?
    var stats = WorkerStats()
    let finished: EventLoopPromise<Void>
    private var isFinished = false

    init(options: LoadOptions, loop: any EventLoop) {
        self.options = options
        self.requests = MCPRequests(options: options)
        self.loop = loop
        self.finished = loop.makePromise()
    }

    func connect() -> EventLoopFuture<any Channel> {
        ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.pipeline.addHTTPClientHandlers().flatMap {
                    channel.pipeline.addHandler(WorkerHandler(worker: self))
                }
            }
            .connect(host: options.host, port: options.port)
    }

    func recordError(_ what: String) {
        guard plan.map({ NIODeadline.now() >= $0.measureStart }) ?? true else { return }
        stats.errors += 1
        if stats.firstError == nil { stats.firstError = what }
    }

    func finish() {
        guard !isFinished else { return }
        isFinished = true
        finished.succeed(())
    }

    /// After a broken connection: count it and carry on on a new one while the run lasts.
    func connectionLost(_ why: String) {
        guard !isFinished else { return }
        recordError("connection lost: \(why)")
        guard let plan, NIODeadline.now() < plan.measureEnd else { return finish() }
        stats.reconnects += 1
        loop.scheduleTask(in: .milliseconds(10)) {
            self.connect().whenFailure { error in
                self.recordError("reconnect failed: \(error)")
                self.finish()
            }
        }
    }
}

/// The protocol on one connection: the handshake (handshake era), then operations back to back.
final class WorkerHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private enum Step { case initialize, initialized, operation }

    private let worker: Worker
    private var step = Step.initialize
    private var sessionID: String?
    private var nextID = 1
    private var status = 0
    private var body = ByteBuffer()
    private var operationStart = NIODeadline.now()
    private var measured = false
    private var cursor: String?
    private var closing = false
    private var inOperation = false

    init(worker: Worker) {
        self.worker = worker
    }

    func channelActive(context: ChannelHandlerContext) {
        if worker.options.era == .handshake || worker.options.method == "session" {
            sendInitialize(context)
        } else {
            step = .operation
            startOperation(context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !closing { worker.connectionLost(status == 0 ? "closed by peer" : "closed after status \(status)") }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !closing { worker.recordError("\(error)") }
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            if let session = head.headers.first(name: "Mcp-Session-Id") { sessionID = session }
            body.clear()
        case .body(var chunk):
            body.writeBuffer(&chunk)
        case .end:
            responseEnded(context)
        }
    }

    private func send(_ context: ChannelHandlerContext, body text: String, method: String, name: String? = nil) {
        let bytes = Array(text.utf8)
        let head = worker.requests.head(
            method: method, name: name, sessionID: sessionID, contentLength: bytes.count, handshakeDone: step != .initialize)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    private func sendInitialize(_ context: ChannelHandlerContext) {
        step = .initialize
        sessionID = nil
        nextID += 1
        send(context, body: worker.requests.initialize(id: nextID), method: "initialize")
    }

    private func startOperation(_ context: ChannelHandlerContext) {
        guard let plan = worker.plan else { return }
        let now = NIODeadline.now()
        let (go, measured) = plan.next(now: now)
        guard go else {
            closing = true
            context.close(promise: nil)
            worker.finish()
            return
        }
        self.measured = measured
        operationStart = now
        inOperation = true
        if worker.options.method == "session" {
            sendInitialize(context)
            return
        }
        cursor = nil
        sendCall(context)
    }

    private func sendCall(_ context: ChannelHandlerContext) {
        nextID += 1
        let call = worker.requests.call(id: nextID, cursor: cursor)
        send(context, body: call.body, method: worker.options.method, name: call.name)
    }

    private func responseEnded(_ context: ChannelHandlerContext) {
        switch step {
        case .initialize:
            guard status == 200, ByteSearch.contains("\"result\"", in: body) else {
                fail(context, "initialize answered \(status): \(excerpt)")
                return
            }
            step = .initialized
            send(context, body: worker.requests.initialized, method: "notifications/initialized")
        case .initialized:
            guard status == 202 || status == 200 else {
                fail(context, "notifications/initialized answered \(status)")
                return
            }
            step = .operation
            if worker.options.method == "session" {
                completeOperation(context)
            } else {
                startOperation(context)
            }
        case .operation:
            guard status == 200, ByteSearch.contains("\"result\"", in: body), !ByteSearch.contains("\"isError\":true", in: body) else {
                fail(context, "\(worker.options.method) answered \(status): \(excerpt)")
                return
            }
            if worker.options.followCursor, let next = ByteSearch.string(after: "nextCursor", in: body) {
                cursor = next
                sendCall(context)
                return
            }
            completeOperation(context)
        }
    }

    private var excerpt: String {
        String(decoding: body.readableBytesView.prefix(200), as: UTF8.self)
    }

    private func completeOperation(_ context: ChannelHandlerContext) {
        let end = NIODeadline.now()
        if measured {
            worker.stats.ok += 1
            worker.stats.statuses[status, default: 0] += 1
            _ = worker.stats.histogram.record(UInt64(max(1, (end - operationStart).nanoseconds / 1000)))
            worker.stats.lastEnd = end
        }
        inOperation = false
        startOperation(context)
    }

    /// A failed operation: counted; the next one starts on the same connection when it can.
    private func fail(_ context: ChannelHandlerContext, _ why: String) {
        if measured || !inOperation {
            worker.stats.statuses[status, default: 0] += 1
            worker.recordError(why)
        }
        worker.stats.lastEnd = NIODeadline.now()
        inOperation = false
        if step != .operation || worker.options.method == "session" {
            // The session could not be set up: slow down rather than spin.
            context.eventLoop.scheduleTask(in: .milliseconds(5)) {
                self.step == .operation && self.worker.options.method != "session" ? self.startOperation(context) : self.retryHandshake(context)
            }
            return
        }
        startOperation(context)
    }

    private func retryHandshake(_ context: ChannelHandlerContext) {
        guard let plan = worker.plan, NIODeadline.now() < plan.measureEnd else {
            closing = true
            context.close(promise: nil)
            worker.finish()
            return
        }
        if worker.options.method == "session" { startOperation(context) } else { sendInitialize(context) }
    }
}
