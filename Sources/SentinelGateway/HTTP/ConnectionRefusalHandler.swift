import NIOCore

/// Answers a connection that is over a connection limit with `503 Service Unavailable` and `Retry-After`, then
/// closes it.
///
/// The answer goes out before the request is read, followed by a half-close (FIN). Closing at once would make the
/// kernel reset the connection when the client's request arrives, and a reset can destroy the 503 before the
/// client reads it; so the client's bytes are read and dropped until it closes or `grace` has passed.
final class ConnectionRefusalHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let response: String = {
        let body = "too many connections; try again shortly\n"
        return "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: text/plain\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
    }()

    private let grace: TimeAmount
    private var answered = false

    init(grace: TimeAmount = .seconds(2)) {
        self.grace = grace
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { answer(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        answer(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // The request is not read: the answer does not depend on it.
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func answer(_ context: ChannelHandlerContext) {
        guard !answered else { return }
        answered = true
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: Self.response)), promise: nil)
        context.close(mode: .output, promise: nil)
        let channel = context.channel
        context.eventLoop.scheduleTask(in: grace) { channel.close(promise: nil) }
    }
}
