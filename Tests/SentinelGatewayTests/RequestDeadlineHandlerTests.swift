import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing
@testable import SentinelGateway

/// The connection clocks on an embedded channel: time is advanced by hand, the handler is the real one.
struct RequestDeadlineHandlerTests {
    let head = HTTPRequestPart.head(HTTPRequest(method: .post, scheme: nil, authority: "gateway", path: "/mcp/eng"))

    func connected(header: Int64 = 10, body: Int64 = 60, keepAlive: Int64 = 60) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            RequestDeadlineHandler(timeouts: .init(header: .seconds(header), body: .seconds(body), keepAlive: .seconds(keepAlive))))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000)).wait()
        return channel
    }

    func answer(_ channel: EmbeddedChannel) throws {
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
    }

    func advance(_ channel: EmbeddedChannel, seconds: Int64) {
        for _ in 0..<seconds { channel.embeddedEventLoop.advanceTime(by: .seconds(1)) }
    }

    @Test func aNewConnectionThatSendsNoRequestIsClosedAfterTheHeaderTimeout() throws {
        let channel = try connected()
        advance(channel, seconds: 9)
        #expect(channel.isActive)
        advance(channel, seconds: 1)
        #expect(!channel.isActive)
    }

    @Test func slowlorisHeadersAreClosedAtTheHeaderDeadline() throws {
        let channel = try connected(header: 10, keepAlive: 300)
        // One read a second that never completes a header block.
        for _ in 0..<9 {
            channel.pipeline.fireChannelReadComplete()
            advance(channel, seconds: 1)
            #expect(channel.isActive)
        }
        channel.pipeline.fireChannelReadComplete()
        advance(channel, seconds: 1)
        #expect(!channel.isActive, "trickled bytes do not extend the deadline")
    }

    @Test func aSlowBodyIsClosedAtTheBodyDeadline() throws {
        let channel = try connected(header: 10, body: 20)
        try channel.writeInbound(head)
        for _ in 0..<19 {
            try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "x")))
            advance(channel, seconds: 1)
        }
        #expect(channel.isActive)
        advance(channel, seconds: 1)
        #expect(!channel.isActive)
    }

    @Test func aRequestBeingAnsweredIsNeverTimedOut() throws {
        let channel = try connected(header: 10, body: 20, keepAlive: 30)
        try channel.writeInbound(head)
        try channel.writeInbound(HTTPRequestPart.end(nil))
        advance(channel, seconds: 600)  // a long tool call or an event stream
        #expect(channel.isActive)
        try answer(channel)
        advance(channel, seconds: 29)
        #expect(channel.isActive)
        advance(channel, seconds: 1)
        #expect(!channel.isActive, "idle keep-alive connections close after the keep-alive timeout")
    }

    @Test func theNextRequestsFirstBytesStartTheHeaderClock() throws {
        let channel = try connected(header: 10, keepAlive: 60)
        try channel.writeInbound(head)
        try channel.writeInbound(HTTPRequestPart.end(nil))
        try answer(channel)
        advance(channel, seconds: 20)
        channel.pipeline.fireChannelReadComplete()  // part of the next request's headers
        advance(channel, seconds: 9)
        #expect(channel.isActive)
        advance(channel, seconds: 1)
        #expect(!channel.isActive)
    }

    @Test func aKeptAliveConnectionServesRequestAfterRequest() throws {
        let channel = try connected(header: 10, body: 10, keepAlive: 10)
        for _ in 0..<5 {
            advance(channel, seconds: 8)
            try channel.writeInbound(head)
            advance(channel, seconds: 8)
            try channel.writeInbound(HTTPRequestPart.end(nil))
            advance(channel, seconds: 30)
            try answer(channel)
        }
        #expect(channel.isActive)
    }

    @Test func anEarlyAnswerStillWaitsForTheBodyThenKeepsAlive() throws {
        let channel = try connected(header: 10, body: 20, keepAlive: 60)
        try channel.writeInbound(head)
        try answer(channel)  // e.g. 401 before the body was read
        advance(channel, seconds: 19)
        #expect(channel.isActive)
        try channel.writeInbound(HTTPRequestPart.end(nil))
        advance(channel, seconds: 59)
        #expect(channel.isActive)
        advance(channel, seconds: 1)
        #expect(!channel.isActive)
    }
}
