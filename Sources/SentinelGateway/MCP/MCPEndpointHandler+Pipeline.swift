import Hummingbird
import HTTPTypes
import NIOCore
import SentinelCore
import SentinelStore

/// The request pipeline of POST: body limit, content type, batches, the era and header rules, sessions; then `dispatch`.
extension MCPEndpointHandler {
    func post(_ request: Request, context: GatewayRequestContext) async -> Response {
        let admission = await admit(request, context: context)
        guard case .admitted(let snapshot, let accessGrant) = admission else { return admission.refusal }
        let settings = settings()
        var request = request
        let body: [UInt8]
        do {
            let buffer = try await request.collectBody(upTo: settings.maxRequestBytes)
            body = Array(buffer.readableBytesView)
        } catch {
            return MCPReplies.jsonError(status: .contentTooLarge, id: nil, code: JSONRPCErrorCode.invalidRequest,
                                  message: "request body exceeds \(settings.maxRequestBytes) bytes")
        }
        let exchange = MCPExchange(
            request: request, context: context, snapshot: snapshot, grant: accessGrant,
            sessionID: request.headers[.mcpSessionID], headerVersion: request.headers[.mcpProtocolVersion],
            settings: settings)
        let contentType = request.headers[.contentType]
        guard Self.isJSON(contentType) else {
            // Read anyway, so that a tool call sent as a form (a cross-site attempt, say) is audited as refused.
            let message = try? JSONRPCMessage(parsing: body)
            let why = "Content-Type \(contentType ?? "(none)") is not application/json"
            if let message { auditRefusedCall(message, exchange: exchange, reason: why) }
            return MCPReplies.jsonError(status: .unsupportedMediaType, id: message?.id, code: JSONRPCErrorCode.invalidRequest,
                                  message: "a POST body must be JSON: send Content-Type: application/json")
        }

        if body.first(where: { !Self.isWhitespace($0) }) == UInt8(ascii: "[") {
            return await batch(body, exchange: exchange)
        }
        let message: JSONRPCMessage
        do {
            message = try JSONRPCMessage(parsing: body)
        } catch {
            return MCPReplies.jsonError(status: .badRequest, id: error.id, code: error.code, message: error.message)
        }
        return await handle(message, exchange: exchange)
    }

    /// Whether a Content-Type names JSON (`application/json`, parameters such as `charset` allowed).
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let type = contentType.utf8.split(separator: UInt8(ascii: ";"), maxSplits: 1, omittingEmptySubsequences: false).first ?? []
        let trimmed = type.drop { $0 == 0x20 || $0 == 0x09 }.reversed().drop { $0 == 0x20 || $0 == 0x09 }.reversed()
        return trimmed.elementsEqual("application/json".utf8, by: { $0 | 0x20 == $1 | 0x20 })
    }

    /// 2025-03-26 allowed batches; later versions removed them.
    func batch(_ body: [UInt8], exchange: MCPExchange) async -> Response {
        let version = exchange.headerVersion ?? MCPProtocol.assumedVersion
        if let refusal = MCPRequestRules.versionHeaderRefusal(exchange.headerVersion) {
            return MCPReplies.jsonError(status: .badRequest, id: nil, code: refusal.code, message: refusal.message, data: refusal.data)
        }
        guard MCPProtocol.allowsBatches(version) else {
            return MCPReplies.jsonError(status: .badRequest, id: nil, code: JSONRPCErrorCode.invalidRequest,
                                  message: "JSON-RPC batches are not supported in protocol version \(version)")
        }
        let elements: [Range<Int>]
        do {
            elements = try JSONScanner.elements(of: body)
        } catch {
            return MCPReplies.jsonError(status: .badRequest, id: nil, code: JSONRPCErrorCode.parseError, message: "parse error: \(error)")
        }
        guard !elements.isEmpty else {
            return MCPReplies.jsonError(status: .badRequest, id: nil, code: JSONRPCErrorCode.invalidRequest, message: "empty batch")
        }
        var replies: [RawJSON] = []
        for range in elements {
            let reply: RawJSON?
            do {
                let message = try JSONRPCMessage(parsing: Array(body[range]))
                reply = await answerWithoutStreaming(message, exchange: exchange)
            } catch {
                reply = JSONRPC.error(id: error.id, code: error.code, message: error.message)
            }
            if let reply { replies.append(reply) }
        }
        guard !replies.isEmpty else { return Response(status: .accepted) }
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        for (index, reply) in replies.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes += reply.bytes
        }
        bytes.append(UInt8(ascii: "]"))
        return MCPReplies.json(RawJSON(bytes))
    }

    /// Handles one message of a batch, always answering in JSON.
    func answerWithoutStreaming(_ message: JSONRPCMessage, exchange: MCPExchange) async -> RawJSON? {
        let response = await handle(message, exchange: exchange, allowStreaming: false)
        guard response.status != .accepted else { return nil }
        let collector = ByteCollector()
        _ = try? await response.body.write(collector)
        return collector.bytes.isEmpty ? nil : RawJSON(collector.bytes)
    }

    func handle(_ message: JSONRPCMessage, exchange: MCPExchange, allowStreaming: Bool = true) async -> Response {
        switch message.kind {
        case .response, .errorResponse:
            return Response(status: .accepted)
        case .notification, .request:
            break
        }
        var exchange = exchange
        let meta = message.metaMembers()
        let envelope = MCPRequestRules.Envelope(message, meta: meta)
        // What the request says it speaks and who sends it, for the answer and the audit (a refusal's too).
        if case .string(let version) = envelope.version {
            exchange.protocolVersion = version
            // clientInfo is optional since 2026-07-28: scan it when present, decode only its two strings.
            if let range = meta[MCPProtocol.clientInfoKey], let info = try? JSONScanner.members(of: message.bytes, in: range) {
                exchange.clientName = info["name"].flatMap { message.decode($0)?.stringValue } ?? "unknown"
                exchange.clientVersion = info["version"].flatMap { message.decode($0)?.stringValue } ?? ""
            }
        } else {
            exchange.protocolVersion = exchange.headerVersion ?? MCPProtocol.assumedVersion
        }
        // A handshake-era message names its session; one that has ended gets 404 so the client initializes again.
        // 2026-07-28 requests are stateless: an Mcp-Session-Id on them is ignored.
        var session: MCPSession?
        if envelope.version == .absent, message.method != "initialize", let sessionID = exchange.sessionID {
            let endpoint = exchange.snapshot.endpoint.name
            switch await sessions.resolve(sessionID, endpoint: endpoint, grant: exchange.grant?.grantID, idleSeconds: exchange.settings.sessionIdleSeconds) {
            case .valid(let found):
                session = found
            case .refused(let why):
                return refuse(message, exchange: exchange, status: .notFound, code: JSONRPCErrorCode.invalidRequest,
                              reason: why + "; send initialize to start a new session")
            case .unavailable(let why):
                return refuse(message, exchange: exchange, status: .internalServerError, code: JSONRPCErrorCode.internalError, reason: why)
            }
        }
        guard message.kind == .request else {
            dispatchNotification(message, exchange: exchange)
            return Response(status: .accepted)
        }
        let headers = MCPRequestRules.Headers(
            protocolVersion: exchange.headerVersion, method: exchange.request.headers[.mcpMethod],
            name: exchange.request.headers[.mcpName])
        switch MCPRequestRules.route(envelope, headers: headers, sessionVersion: session?.protocolVersion) {
        case .refused(let refusal):
            return refuse(message, exchange: exchange, status: .badRequest, code: refusal.code, reason: refusal.message, data: refusal.data)
        case .modern(let versionHeaderDiffers):
            exchange.era = .modern
            exchange.versionHeaderDiffers = versionHeaderDiffers
            exchange.capabilities = MCPClientCapabilities(modern: message, meta: meta)
        case .handshake(let versionHeaderDiffers):
            exchange.versionHeaderDiffers = versionHeaderDiffers
            if let session {
                exchange.protocolVersion = session.protocolVersion
                exchange.clientName = session.clientName
                exchange.clientVersion = session.clientVersion
                exchange.capabilities = session.capabilities
            }
        }
        return await dispatch(message, id: message.id ?? .null, exchange: exchange, allowStreaming: allowStreaming)
    }

    /// Refuses a message before it is served: a JSON-RPC error with `status`; a refused `tools/call` is audited.
    func refuse(
        _ message: JSONRPCMessage, exchange: MCPExchange, status: HTTPResponse.Status, code: Int, reason: String,
        data: JSONValue? = nil
    ) -> Response {
        auditRefusedCall(message, exchange: exchange, reason: reason)
        return MCPReplies.jsonError(status: status, id: message.id, code: code, message: reason, data: data)
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
