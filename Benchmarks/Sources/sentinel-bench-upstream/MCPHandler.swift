import BenchSupport
import NIOCore
import NIOHTTP1

/// One connection: collects a request body, answers it from the catalog or by echoing.
final class MCPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let catalog: Catalog
    private let counter: RequestCounter
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var sessions = 0

    init(catalog: Catalog, counter: RequestCounter) {
        self.catalog = catalog
        self.counter = counter
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = nil
        case .body(var chunk):
            if body == nil { body = chunk } else { body!.writeBuffer(&chunk) }
        case .end:
            guard let head else { return }
            respond(context: context, head: head)
            self.head = nil
            body = nil
        }
    }

    private func respond(context: ChannelHandlerContext, head: HTTPRequestHead) {
        if head.uri == "/stats" {
            return send(context, head, status: .ok, body: Array(#"{"requests":\#(counter.value)}"#.utf8))
        }
        counter.increment()
        switch head.method {
        case .POST: break
        case .DELETE: return send(context, head, status: .noContent, body: nil)
        default: return send(context, head, status: .methodNotAllowed, body: nil)
        }
        let bytes = body.map { $0.readableBytesView } ?? ByteBuffer().readableBytesView
        guard let methodRange = RawJSON.value(of: "method", in: bytes) else {
            return send(context, head, status: .accepted, body: nil)  // a response from the client
        }
        let method = bytes[methodRange.lowerBound + 1..<methodRange.upperBound - 1]
        guard let idRange = RawJSON.value(of: "id", in: bytes) else {
            return send(context, head, status: .accepted, body: nil)  // a notification
        }
        let id = Array(bytes[idRange])
        let modern = RawJSON.contains("io.modelcontextprotocol/protocolVersion", in: bytes)
        var sessionID: String?
        let result: [UInt8]
        switch String(decoding: method, as: UTF8.self) {
        case "tools/call":
            result = echoResult(bytes, modern: modern)
        case "tools/list":
            result = modern ? catalog.toolsResultModern : catalog.toolsResult
        case "resources/list":
            result = modern ? catalog.resourcesResultModern : catalog.resourcesResult
        case "resources/read" where RawJSON.string(of: "uri", in: bytes) == Catalog.blobURI:
            result = modern ? catalog.readResultModern : catalog.readResult
        case "ping":
            result = Array((modern ? #"{"resultType":"complete"}"# : "{}").utf8)
        case "server/discover":
            result = catalog.discoverResult
        case "initialize":
            let requested = RawJSON.string(of: "protocolVersion", in: bytes) ?? ""
            let version = Catalog.handshakeVersions.contains(requested) ? requested : Catalog.handshakeVersions[0]
            sessions += 1
            sessionID = "fast-\(ObjectIdentifier(self).hashValue)-\(sessions)"
            result = Catalog.initializeResult(version: version)
        default:
            var reply = Array(#"{"jsonrpc":"2.0","id":"#.utf8) + id
            reply += Array(#","error":{"code":-32601,"message":"method not found"}}"#.utf8)
            return send(context, head, status: modern ? .notFound : .ok, body: reply)
        }
        var reply = Array(#"{"jsonrpc":"2.0","id":"#.utf8)
        reply += id
        reply += Array(#","result":"#.utf8)
        reply += result
        reply.append(UInt8(ascii: "}"))
        send(context, head, status: .ok, body: reply, sessionID: sessionID)
    }

    /// `{"content":[{"type":"text","text":<arguments.text>}]}`, the text copied as raw JSON.
    private func echoResult(_ bytes: ByteBufferView, modern: Bool) -> [UInt8] {
        var text: [UInt8] = Array(#""""#.utf8)
        if let arguments = RawJSON.value(of: "arguments", in: bytes),
            let value = RawJSON.value(of: "text", in: bytes[arguments])
        {
            text = Array(bytes[value])
        }
        var result = Array((modern ? #"{"resultType":"complete","content":[{"type":"text","text":"# : #"{"content":[{"type":"text","text":"#).utf8)
        result += text
        result += Array(#"}],"isError":false}"#.utf8)
        return result
    }

    private func send(
        _ context: ChannelHandlerContext, _ request: HTTPRequestHead, status: HTTPResponseStatus, body: [UInt8]?,
        sessionID: String? = nil
    ) {
        var headers = HTTPHeaders()
        if let body {
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: "\(body.count)")
        } else {
            headers.add(name: "Content-Length", value: "0")
        }
        if let sessionID { headers.add(name: "Mcp-Session-Id", value: sessionID) }
        let keepAlive = request.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
        if let body {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.whenComplete { _ in context.close(promise: nil) } }
    }
}
