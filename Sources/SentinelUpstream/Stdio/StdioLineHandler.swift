import NIOCore

/// The end of a child pipe's pipeline: hands each line, the end of the stream and any read
/// error to closures, so the connection logic stays free of NIO types.
final class StdioLineHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let onLine: @Sendable ([UInt8]) -> Void
    private let onError: @Sendable (any Error) -> Void
    private let onClose: @Sendable () -> Void

    init(
        onLine: @escaping @Sendable ([UInt8]) -> Void,
        onError: @escaping @Sendable (any Error) -> Void = { _ in },
        onClose: @escaping @Sendable () -> Void = {}
    ) {
        self.onLine = onLine
        self.onError = onError
        self.onClose = onClose
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var line = unwrapInboundIn(data)
        onLine(line.readBytes(length: line.readableBytes) ?? [])
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        onError(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        onClose()
        context.fireChannelInactive()
    }
}
