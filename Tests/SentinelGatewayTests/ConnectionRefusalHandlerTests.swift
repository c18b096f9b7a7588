import Foundation
import NIOCore
import NIOEmbedded
import Testing
@testable import SentinelGateway

struct ConnectionRefusalHandlerTests {
    @Test func answers503WithRetryAfterAndClosesAfterTheGrace() throws {
        let channel = EmbeddedChannel()
        let halfClose = HalfCloseRecorder()
        try channel.pipeline.syncOperations.addHandler(halfClose)
        try channel.pipeline.syncOperations.addHandler(ConnectionRefusalHandler(grace: .seconds(2)))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000)).wait()
        let written = try #require(try channel.readOutbound(as: ByteBuffer.self))
        let text = String(buffer: written)
        #expect(text.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
        #expect(text.contains("\r\nRetry-After: 1\r\n"))
        #expect(text.contains("\r\nConnection: close\r\n"))
        let body = try #require(text.components(separatedBy: "\r\n\r\n").last)
        #expect(text.contains("Content-Length: \(body.utf8.count)\r\n"))
        #expect(halfClose.outputClosed, "the answer is followed by a FIN")
        // The client's request is read and dropped; the connection stays until the grace ends.
        try channel.writeInbound(ByteBuffer(string: "POST /mcp/eng HTTP/1.1\r\n"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }
}

/// EmbeddedChannel closes fully on any close; this records a half-close (and keeps the channel open) instead.
final class HalfCloseRecorder: ChannelOutboundHandler {
    typealias OutboundIn = NIOAny
    var outputClosed = false

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode == .output else { return context.close(mode: mode, promise: promise) }
        outputClosed = true
        promise?.succeed(())
    }
}
