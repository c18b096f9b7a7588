import NIOCore
import NIOHTTPTypes

/// Closes an HTTP connection whose client is too slow to send a request, or idle for too long between requests.
///
/// Three clocks, one running at a time:
/// - headers: from a request's first byte (on a new connection, from the accept) to its complete header block,
///   so a client sending one header byte a second (slowloris) is closed after `headerTimeout`;
/// - body: from the end of the headers to the end of the body, `bodyTimeout`;
/// - keep-alive: from the end of a response to the next request's first byte, `keepAliveTimeout`.
/// Nothing runs while a request is being answered: tool calls and event streams have bounds of their own. A request
/// pipelined behind an unanswered one is timed from the moment the one before it is answered.
///
/// It sits after the HTTP codec, so it sees whole request parts; a read that produced none (part of a header
/// block) shows up as `channelReadComplete` alone.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    struct Timeouts: Sendable {
        var header: TimeAmount
        var body: TimeAmount
        var keepAlive: TimeAmount
    }

    enum Phase: Equatable {
        /// No byte of the next request yet; `fresh` on a connection that has not sent one at all.
        case waiting(fresh: Bool)
        case receivingHead
        case receivingBody
        case answering
    }

    private let timeouts: Timeouts
    private(set) var phase = Phase.waiting(fresh: true)
    /// Requests whose head has been read and whose response has not ended.
    private var unanswered = 0
    private var timer: Scheduled<Void>?
    /// Whether the current read produced a request part (else it held only part of a header block).
    private var partsInThisRead = false

    init(timeouts: Timeouts) {
        self.timeouts = timeouts
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context, timeouts.header) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    func channelActive(context: ChannelHandlerContext) {
        if timer == nil, phase == .waiting(fresh: true) { arm(context, timeouts.header) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partsInThisRead = true
        switch unwrapInboundIn(data) {
        case .head:
            unanswered += 1
            phase = .receivingBody
            // Behind an unanswered request the body may wait on the server, not the client.
            if unanswered == 1 { arm(context, timeouts.body) } else { disarm() }
        case .body:
            break
        case .end:
            if unanswered == 0 {
                // Answered before its body was read (an early error): the connection is idle again.
                phase = .waiting(fresh: false)
                arm(context, timeouts.keepAlive)
            } else {
                phase = .answering
                disarm()
            }
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        defer { partsInThisRead = false }
        if !partsInThisRead, case .waiting = phase, unanswered == 0 {
            // Bytes arrived that did not yet make a head.
            if phase == .waiting(fresh: false) { arm(context, timeouts.header) }
            phase = .receivingHead
        }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), unanswered > 0 {
            unanswered -= 1
            switch phase {
            case .answering where unanswered == 0:
                phase = .waiting(fresh: false)
                arm(context, timeouts.keepAlive)
            case .receivingBody where unanswered == 1:
                arm(context, timeouts.body)
            default:
                break
            }
        }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext, _ timeout: TimeAmount) {
        timer?.cancel()
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in
            self?.timer = nil
            context.close(promise: nil)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}
