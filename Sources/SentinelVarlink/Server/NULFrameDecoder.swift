import NIOCore

/// Splits a byte stream into NUL-terminated varlink messages, refusing oversized ones.
struct NULFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    struct MessageTooLarge: Error {}

    let maximumBytes: Int

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let terminator = buffer.readableBytesView.firstIndex(of: 0) else {
            if buffer.readableBytes > maximumBytes { throw MessageTooLarge() }
            return .needMoreData
        }
        let length = terminator - buffer.readableBytesView.startIndex
        if length > maximumBytes { throw MessageTooLarge() }
        let frame = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        // A partial message at end of stream is discarded: the peer is gone.
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }
}
