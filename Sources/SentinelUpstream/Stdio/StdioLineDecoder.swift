#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Splits a child's output into lines (without "\n" and a trailing "\r").
///
/// Remembers how far it has already looked for a newline, so a multi-megabyte line arriving
/// in 64 KiB reads is scanned once, not once per read. The last line is delivered at EOF even
/// without its newline.
struct StdioLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    /// What to do with a line longer than `maximumLength`.
    enum Overflow {
        /// Fail the channel with `LineTooLong` (stdout: the JSON-RPC stream cannot be trusted after it).
        case fail
        /// Deliver it in pieces of `maximumLength` (stderr: a log line is still worth keeping).
        case split
    }

    struct LineTooLong: Error, CustomStringConvertible {
        var maximumLength: Int
        var description: String { "a line longer than \(maximumLength) bytes" }
    }

    let maximumLength: Int
    let overflow: Overflow
    /// Bytes of the readable buffer already known to hold no newline.
    private var scanned = 0

    init(maximumLength: Int, overflow: Overflow) {
        self.maximumLength = maximumLength
        self.overflow = overflow
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let readable = buffer.readableBytes
        let newline: Int? = buffer.withUnsafeReadableBytes { bytes in
            guard scanned < bytes.count, let base = bytes.baseAddress else { return nil }
            guard let found = memchr(base + scanned, 0x0A, bytes.count - scanned) else { return nil }
            return base.distance(to: UnsafeRawPointer(found))
        }
        guard let newline else {
            scanned = readable
            if readable > maximumLength {
                switch overflow {
                case .fail:
                    throw LineTooLong(maximumLength: maximumLength)
                case .split:
                    scanned = 0
                    context.fireChannelRead(wrapInboundOut(buffer.readSlice(length: maximumLength)!))
                    return .continue
                }
            }
            return .needMoreData
        }
        scanned = 0
        if newline > maximumLength {
            switch overflow {
            case .fail:
                throw LineTooLong(maximumLength: maximumLength)
            case .split:
                context.fireChannelRead(wrapInboundOut(buffer.readSlice(length: maximumLength)!))
                return .continue
            }
        }
        var line = buffer.readSlice(length: newline)!
        buffer.moveReaderIndex(forwardBy: 1)
        if line.readableBytesView.last == 0x0D {
            line = line.getSlice(at: line.readerIndex, length: line.readableBytes - 1)!
        }
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if buffer.readableBytes > 0 {
            scanned = 0
            var line = buffer.readSlice(length: buffer.readableBytes)!
            // Like every other line, without its "\r" (found by fuzzing).
            if line.readableBytesView.last == 0x0D {
                line = line.getSlice(at: line.readerIndex, length: line.readableBytes - 1)!
            }
            context.fireChannelRead(wrapInboundOut(line))
        }
        return .needMoreData
    }
}
