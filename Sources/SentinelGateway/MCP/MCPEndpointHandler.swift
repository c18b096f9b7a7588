import Foundation
public import Hummingbird
public import Logging
import NIOCore
public import SentinelCore
import SentinelStore
import HTTPTypes
public import SentinelUpstream

/// Gives the gateway a started upstream client for a server.
public protocol UpstreamProvider: Sendable {
    /// A client carrying the right credential: `user`'s own for a personal server (the caller of a tool), the shared
    /// one otherwise. Throws `UpstreamCredentialRequired` when that credential is missing or expired.
    func client(for server: Server, user: String?) async throws -> any UpstreamClient
    /// A client for listing the server's tools: for a personal server, with any user's connected credential (the
    /// catalog is the same for everyone); never used for tool calls.
    func catalogClient(for server: Server) async throws -> any UpstreamClient
    /// The upstream refused the credential `client(for:user:)` used: refresh it if possible. Returns whether a retry
    /// may succeed; throws `UpstreamCredentialRequired` when the owner must connect again.
    func credentialRejected(server: Server, user: String?) async throws -> Bool
    /// Drops the server's connections; the next call connects with its current settings.
    func invalidate(server: String) async
}

/// Settings of the data plane, from `sentineld.conf`.
public struct GatewaySettings: Sendable {
    public var publicURL: String
    public var maxRequestBytes: Int
    public var maxConcurrentCallsPerEndpoint: Int
    /// Calls one caller (grant, or client address without authentication) may run at once on one endpoint.
    public var maxConcurrentCallsPerCaller: Int
    public var allowedOrigins: [String]
    /// Whether the HTTP listener only accepts loopback connections (required for auth=none endpoints).
    public var listenerIsLoopback: Bool
    public var version: String
    /// Tools per `tools/list` page. Large: every page is a round trip for the client, and the list is
    /// copied from serialised bytes (500 tools in one page answer within 2× of a ping, Benchmarks/).
    public var toolsPageSize: Int
    /// A handshake-era session unused for this long ends (`[HTTP] SessionIdleSec`).
    public var sessionIdleSeconds: Int

    public init(
        publicURL: String, maxRequestBytes: Int, maxConcurrentCallsPerEndpoint: Int, allowedOrigins: [String],
        listenerIsLoopback: Bool, version: String, toolsPageSize: Int = 1000,
        maxConcurrentCallsPerCaller: Int = DaemonConfiguration().maxConcurrentCallsPerCaller,
        sessionIdleSeconds: Int = DaemonConfiguration().sessionIdleSeconds
    ) {
        self.publicURL = publicURL
        self.maxRequestBytes = maxRequestBytes
        self.maxConcurrentCallsPerEndpoint = maxConcurrentCallsPerEndpoint
        self.maxConcurrentCallsPerCaller = maxConcurrentCallsPerCaller
        self.allowedOrigins = allowedOrigins
        self.listenerIsLoopback = listenerIsLoopback
        self.version = version
        self.toolsPageSize = toolsPageSize
        self.sessionIdleSeconds = sessionIdleSeconds
    }
}

/// The MCP endpoint `/mcp/<endpoint>`: Streamable HTTP for the handshake era
/// (2024-11-05 … 2025-11-25) and the 2026-07-28 era on the same URL.
public final class MCPEndpointHandler: Sendable {
    let catalog: EndpointCatalog
    let upstreams: any UpstreamProvider
    let audit: any AuditSink
    let hub: NotificationHub
    let verifier: (any AccessVerifier)?
    let grantStreams: GrantStreams
    let connectionClosed = ConnectionCloseSignals()
    let settings: @Sendable () -> GatewaySettings
    let logger: Logger
    let sessions: MCPSessions
    let inFlight = InFlightCalls()
    let limiter = ConcurrencyLimiter()

    public init(
        catalog: EndpointCatalog, upstreams: any UpstreamProvider, audit: any AuditSink, hub: NotificationHub,
        verifier: (any AccessVerifier)?, grantStreams: GrantStreams, logger: Logger,
        settings: @escaping @Sendable () -> GatewaySettings
    ) {
        self.catalog = catalog
        self.upstreams = upstreams
        self.audit = audit
        self.hub = hub
        self.verifier = verifier
        self.grantStreams = grantStreams
        self.logger = logger
        self.settings = settings
        self.sessions = MCPSessions(store: catalog.store, logger: logger)
    }

    /// Adds the endpoint routes to `router`.
    public func register(on router: Router<GatewayRequestContext>) {
        router.post("/mcp/:endpoint") { request, context in
            await self.post(request, context: context)
        }
        router.get("/mcp/:endpoint") { request, context in
            await self.get(request, context: context)
        }
        router.delete("/mcp/:endpoint") { request, context in
            await self.delete(request, context: context)
        }
    }

    // MARK: - Admission

    /// Checks Origin, the endpoint and its auth; returns the snapshot or the response to send.
    func admit(_ request: Request, context: GatewayRequestContext) async -> Admission {
        let settings = settings()
        if let origin = request.headers[.origin], !Self.originAllowed(origin, settings: settings) {
            return .refused(Self.jsonError(status: .forbidden, id: nil, code: JSONRPCErrorCode.invalidRequest,
                                           message: "origin \(origin) is not allowed"))
        }
        let name = context.parameters.get("endpoint") ?? ""
        let snapshot: EndpointSnapshot?
        do {
            snapshot = try await catalog.snapshot(name)
        } catch {
            logger.error("cannot load endpoint \(name): \(error)")
            return .refused(Self.jsonError(status: .internalServerError, id: nil, code: JSONRPCErrorCode.internalError,
                                           message: "the gateway cannot read its store"))
        }
        guard let snapshot else {
            return .refused(Self.jsonError(status: .notFound, id: nil, code: JSONRPCErrorCode.invalidRequest,
                                           message: "no endpoint named '\(name)'"))
        }
        switch snapshot.endpoint.auth {
        case .none:
            guard settings.listenerIsLoopback else {
                return .refused(Self.jsonError(status: .forbidden, id: nil, code: JSONRPCErrorCode.invalidRequest,
                                               message: "endpoint '\(name)' has no authentication and is served only on a loopback listener"))
            }
            // A reverse proxy on this host (a trusted one, on loopback) must not open such an endpoint to the
            // clients it forwards: only a client on this host may use it.
            if let forwarded = context.forwardedClient, !forwarded.isLoopback {
                return .refused(Self.jsonError(status: .forbidden, id: nil, code: JSONRPCErrorCode.invalidRequest,
                                               message: "endpoint '\(name)' has no authentication and is served only to clients on this host, not to \(forwarded) through a proxy"))
            }
        case .oauth:
            let check = await verifier?.verify(
                bearer: Self.bearerToken(request.headers[.authorization]), endpoint: name,
                address: { [context] in context.clientAddress }) ?? .refused(nil)
            switch check {
            case .granted(let grant): return .admitted(snapshot, grant)
            case .refused(let error): return .refused(unauthorized(endpoint: name, error: error, settings: settings))
            }
        }
        return .admitted(snapshot, nil)
    }

    /// 401 (or 403 for `insufficient_scope`) with the RFC 6750 / RFC 9728 challenge that starts a client's OAuth flow.
    func unauthorized(endpoint name: String, error: OAuthError?, settings: GatewaySettings) -> Response {
        let metadata = settings.publicURL + "/.well-known/oauth-protected-resource/mcp/" + name
        var challenge = "Bearer resource_metadata=\"\(metadata)\", scope=\"\(AuthorizationRequest.requiredScope)\""
        if let error {
            challenge += ", error=\"\(error.code.rawValue)\", error_description=\"\(error.message.replacingOccurrences(of: "\"", with: "'"))\""
        }
        let forbidden = error?.code == .insufficientScope
        var response = Self.jsonError(
            status: forbidden ? .forbidden : .unauthorized, id: nil, code: JSONRPCErrorCode.invalidRequest,
            message: error?.message ?? "endpoint '\(name)' requires authorization")
        response.headers[.wwwAuthenticate] = challenge
        return response
    }

    /// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), else nil.
    static func bearerToken(_ header: String?) -> String? {
        // Byte-wise: this runs on every request of an OAuth endpoint (Foundation's CharacterSet trimming
        // and lowercased() showed in the benchmark's profile).
        guard let header else { return nil }
        let utf8 = header.utf8
        guard utf8.count > 7, utf8.prefix(7).elementsEqual("bearer ".utf8, by: { $0 | 0x20 == $1 | 0x20 }) else { return nil }
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        var token = utf8.dropFirst(7)
        while let first = token.first, isSpace(first) { token = token.dropFirst() }
        while let last = token.last, isSpace(last) { token = token.dropLast() }
        return token.isEmpty ? nil : String(token)
    }

    static func originAllowed(_ origin: String, settings: GatewaySettings) -> Bool {
        guard let url = URL(string: origin), let host = url.host?.lowercased() else { return false }
        if host == "localhost" || host == "127.0.0.1" || host == "[::1]" || host == "::1" { return true }
        if settings.allowedOrigins.contains(origin) { return true }
        guard let own = URL(string: settings.publicURL) else { return false }
        return own.scheme == url.scheme && own.host?.lowercased() == host && own.port == url.port
    }

    // MARK: - POST

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
            return Self.jsonError(status: .contentTooLarge, id: nil, code: JSONRPCErrorCode.invalidRequest,
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
            return Self.jsonError(status: .unsupportedMediaType, id: message?.id, code: JSONRPCErrorCode.invalidRequest,
                                  message: "a POST body must be JSON: send Content-Type: application/json")
        }

        if body.first(where: { !Self.isWhitespace($0) }) == UInt8(ascii: "[") {
            return await batch(body, exchange: exchange)
        }
        let message: JSONRPCMessage
        do {
            message = try JSONRPCMessage(parsing: body)
        } catch {
            return Self.jsonError(status: .badRequest, id: error.id, code: error.code, message: error.message)
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
            return Self.jsonError(status: .badRequest, id: nil, code: refusal.code, message: refusal.message, data: refusal.data)
        }
        guard MCPProtocol.allowsBatches(version) else {
            return Self.jsonError(status: .badRequest, id: nil, code: JSONRPCErrorCode.invalidRequest,
                                  message: "JSON-RPC batches are not supported in protocol version \(version)")
        }
        let elements: [Range<Int>]
        do {
            elements = try JSONScanner.elements(of: body)
        } catch {
            return Self.jsonError(status: .badRequest, id: nil, code: JSONRPCErrorCode.parseError, message: "parse error: \(error)")
        }
        guard !elements.isEmpty else {
            return Self.jsonError(status: .badRequest, id: nil, code: JSONRPCErrorCode.invalidRequest, message: "empty batch")
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
        return Self.json(RawJSON(bytes))
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
            handleNotification(message, exchange: exchange)
            return Response(status: .accepted)
        }
        let id = message.id ?? .null
        let method = message.method ?? ""
        let headers = MCPRequestRules.Headers(
            protocolVersion: exchange.headerVersion, method: exchange.request.headers[.mcpMethod],
            name: exchange.request.headers[.mcpName])
        switch MCPRequestRules.route(envelope, headers: headers, sessionVersion: session?.protocolVersion) {
        case .refused(let refusal):
            return refuse(message, exchange: exchange, status: .badRequest, code: refusal.code, reason: refusal.message, data: refusal.data)
        case .modern(let versionHeaderDiffers):
            exchange.era = .modern
            exchange.versionHeaderDiffers = versionHeaderDiffers
        case .handshake(let versionHeaderDiffers):
            exchange.versionHeaderDiffers = versionHeaderDiffers
            if let session {
                exchange.protocolVersion = session.protocolVersion
                exchange.clientName = session.clientName
                exchange.clientVersion = session.clientVersion
            }
        }
        let modern = exchange.era == .modern

        switch method {
        case "initialize":
            guard !modern else { return methodNotFound(id: id, method: method, exchange: exchange) }
            return await initialize(message, id: id, exchange: exchange)
        case "ping":
            return result(id: id, members: [], exchange: exchange)
        case "server/discover":
            return result(id: id, members: discoverMembers(exchange: exchange), exchange: exchange)
        case "tools/list":
            return toolsList(message, id: id, exchange: exchange)
        case "tools/call":
            return await toolCall(message, id: id, exchange: exchange, allowStreaming: allowStreaming)
        case "subscriptions/listen" where modern && allowStreaming:
            return subscriptionsListen(message, id: id, exchange: exchange)
        case "logging/setLevel" where !modern:
            return result(id: id, members: [], exchange: exchange)
        default:
            return methodNotFound(id: id, method: method, exchange: exchange)
        }
    }

    /// Refuses a message before it is served: a JSON-RPC error with `status`; a refused `tools/call` is audited.
    func refuse(
        _ message: JSONRPCMessage, exchange: MCPExchange, status: HTTPResponse.Status, code: Int, reason: String,
        data: JSONValue? = nil
    ) -> Response {
        auditRefusedCall(message, exchange: exchange, reason: reason)
        return Self.jsonError(status: status, id: message.id, code: code, message: reason, data: data)
    }

    func handleNotification(_ message: JSONRPCMessage, exchange: MCPExchange) {
        guard message.method == "notifications/cancelled",
            let requestID = message.paramsMembers["requestId"].map({ message.raw($0).text })
        else { return }
        let endpoint = exchange.snapshot.endpoint.name
        let grant = exchange.grant?.grantID
        // Claude does not echo Mcp-Session-Id: a call may be registered with or without one; both are this caller's.
        if !inFlight.cancel(InFlightCalls.key(endpoint: endpoint, grant: grant, session: exchange.sessionID, requestID: requestID)) {
            _ = inFlight.cancel(InFlightCalls.key(endpoint: endpoint, grant: grant, session: nil, requestID: requestID))
        }
    }

    func methodNotFound(id: RawJSON, method: String, exchange: MCPExchange) -> Response {
        let body = JSONRPC.error(id: id, code: JSONRPCErrorCode.methodNotFound, message: "method not found: \(method)")
        return Self.json(body, status: exchange.era == .modern ? .notFound : .ok)
    }

    func initialize(_ message: JSONRPCMessage, id: RawJSON, exchange: MCPExchange) async -> Response {
        let params = message.paramsMembers
        let requested = params["protocolVersion"].flatMap { message.decode($0)?.stringValue } ?? ""
        let version = MCPProtocol.isHandshake(requested) ? requested : MCPProtocol.latestHandshakeVersion
        let info = params["clientInfo"].flatMap { message.decode($0) }
        let endpoint = exchange.snapshot.endpoint
        let result: JSONValue = [
            "protocolVersion": .string(version),
            "capabilities": ["tools": ["listChanged": true]],
            "serverInfo": serverInfo(endpoint),
            "instructions": .string(instructions(endpoint)),
        ]
        var response = Self.json(JSONRPC.result(id: id, result: RawJSON(result)))
        do {
            response.headers[.mcpSessionID] = try await sessions.create(
                endpoint: endpoint.name, grant: exchange.grant?.grantID, protocolVersion: version,
                clientName: info?["name"]?.stringValue ?? "unknown", clientVersion: info?["version"]?.stringValue ?? "")
        } catch {
            // Sessions are optional: the client is served without one.
            logger.error("cannot issue an MCP session on endpoint \(endpoint.name): \(error)")
        }
        return response
    }

    func serverInfo(_ endpoint: Endpoint) -> JSONValue {
        ["name": .string("sentinel/\(endpoint.name)"), "title": .string("Sentinel: \(endpoint.name)"),
         "version": .string(settings().version)]
    }

    /// `serverInfo` as JSON text, built without an encoder: every 2026-07-28 result carries it.
    static func serverInfoJSON(_ endpoint: Endpoint, version: String) -> RawJSON {
        RawJSON.object([
            ("name", RawJSON(string: "sentinel/\(endpoint.name)")), ("title", RawJSON(string: "Sentinel: \(endpoint.name)")),
            ("version", RawJSON(string: version)),
        ])
    }

    func instructions(_ endpoint: Endpoint) -> String {
        endpoint.description.isEmpty ? "Tools of the Sentinel endpoint \(endpoint.name)." : endpoint.description
    }

    /// What `server/discover` advertises. A client may reconnect with only this request (claude.ai does):
    /// `tools.listChanged` says a `subscriptions/listen` stream announces changes, and `ttlMs: 0` on this
    /// and on `tools/list` says no cached list is fresh, so the next `tools/list` shows the current tools.
    func discoverMembers(exchange: MCPExchange) -> [(String, RawJSON)] {
        let endpoint = exchange.snapshot.endpoint
        return [
            ("supportedVersions", RawJSON(JSONValue(MCPProtocol.allVersions))),
            ("capabilities", RawJSON(["tools": ["listChanged": true]] as JSONValue)),
            ("serverInfo", RawJSON(serverInfo(endpoint))),
            ("instructions", RawJSON(string: instructions(endpoint))),
            ("ttlMs", RawJSON(Array("0".utf8))),
            ("cacheScope", RawJSON(string: "public")),
        ]
    }

    func toolsList(_ message: JSONRPCMessage, id: RawJSON, exchange: MCPExchange) -> Response {
        let tools = exchange.snapshot.toolDefinitions
        let pageSize = exchange.settings.toolsPageSize
        var start = 0
        if let cursorRange = message.paramsMembers["cursor"] {
            guard let cursor = message.decode(cursorRange)?.stringValue, let offset = Self.offset(fromCursor: cursor),
                offset <= tools.count
            else {
                return Self.json(JSONRPC.error(id: id, code: JSONRPCErrorCode.invalidParams, message: "invalid cursor"))
            }
            start = offset
        }
        let end = min(tools.count, start + pageSize)
        var listed: [UInt8] = [UInt8(ascii: "[")]
        listed.reserveCapacity(tools[start..<end].reduce(2) { $0 + $1.bytes.count + 1 })
        for (index, definition) in tools[start..<end].enumerated() {
            if index > 0 { listed.append(UInt8(ascii: ",")) }
            listed += definition.bytes
        }
        listed.append(UInt8(ascii: "]"))
        var members: [(String, RawJSON)] = [("tools", RawJSON(listed))]
        if end < tools.count { members.append(("nextCursor", RawJSON(string: Self.cursor(offset: end)))) }
        if exchange.era == .modern {
            members.append(("ttlMs", RawJSON(Array("0".utf8))))
            members.append(("cacheScope", RawJSON(string: "private")))
        }
        return result(id: id, members: members, exchange: exchange)
    }

    /// The `tools/list` entry of one tool: the upstream's object, renamed (see `ToolDefinition`).
    static func toolDefinition(_ exposed: ExposedTool) -> RawJSON {
        ToolDefinition.exposed(exposed.tool, as: exposed.exposedName)
    }

    static func cursor(offset: Int) -> String {
        Data("o:\(offset)".utf8).base64EncodedString()
    }

    static func offset(fromCursor cursor: String) -> Int? {
        guard let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8), text.hasPrefix("o:")
        else { return nil }
        return Int(text.dropFirst(2)).flatMap { $0 >= 0 ? $0 : nil }
    }

    /// A result response of Sentinel's own, from its members. 2026-07-28 results carry `resultType` and name this
    /// endpoint in `_meta[io.modelcontextprotocol/serverInfo]`; both are added as members here, because scanning
    /// the finished result for `_meta` (as `finish` does with an upstream's) cost a 500-tool list (~100 KB) 1.5×
    /// its time (make bench, scenario 2).
    func result(id: RawJSON, members: [(String, RawJSON)], exchange: MCPExchange) -> Response {
        var members = members
        if exchange.era == .modern {
            let serverInfo = Self.serverInfoJSON(exchange.snapshot.endpoint, version: exchange.settings.version)
            members.insert(("resultType", RawJSON(string: "complete")), at: 0)
            members.append(("_meta", RawJSON.object([(MCPProtocol.serverInfoKey, serverInfo)])))
        }
        return Self.json(JSONRPC.result(id: id, result: RawJSON.object(members)))
    }

    /// A result as the client's era wants it: modern results name this endpoint as their server (replacing an
    /// upstream's `serverInfo`), handshake-era ones carry no upstream's; nothing else changes.
    func finish(_ result: RawJSON, members: [String: Range<Int>]?, exchange: MCPExchange) -> RawJSON {
        switch exchange.era {
        case .modern:
            MCPResultMeta.modern(
                result, members: members, serverInfo: Self.serverInfoJSON(exchange.snapshot.endpoint, version: exchange.settings.version))
        case .handshake: MCPResultMeta.handshake(result, members: members)
        }
    }

    // MARK: - GET and DELETE (handshake era)

    func get(_ request: Request, context: GatewayRequestContext) async -> Response {
        let admission = await admit(request, context: context)
        guard case .admitted(let snapshot, let grant) = admission else { return admission.refusal }
        if request.headers[.mcpProtocolVersion] == MCPProtocol.modernVersion {
            return Response(status: .methodNotAllowed, headers: [.allow: "POST"])
        }
        if let sessionID = request.headers[.mcpSessionID] {
            switch await sessions.resolve(
                sessionID, endpoint: snapshot.endpoint.name, grant: grant?.grantID, idleSeconds: settings().sessionIdleSeconds)
            {
            case .valid: break
            case .refused(let why):
                return Self.jsonError(status: .notFound, id: nil, code: JSONRPCErrorCode.invalidRequest,
                                      message: why + "; send initialize to start a new session")
            case .unavailable(let why):
                return Self.jsonError(status: .internalServerError, id: nil, code: JSONRPCErrorCode.internalError, message: why)
            }
        }
        guard (request.headers[.accept] ?? "").contains("text/event-stream") else {
            return Self.jsonError(status: .notAcceptable, id: nil, code: JSONRPCErrorCode.invalidRequest,
                                  message: "GET opens an event stream: send Accept: text/event-stream")
        }
        let listener = hub.listen(endpoint: snapshot.endpoint.name)
        return eventStream(context: context, grant: grant) { send in
            try await send(nil)  // headers and a comment, so the client knows the stream is open
            for await notification in listener.stream {
                try await send(notification)
            }
        }
    }

    func delete(_ request: Request, context: GatewayRequestContext) async -> Response {
        let admission = await admit(request, context: context)
        guard case .admitted(let snapshot, let grant) = admission else { return admission.refusal }
        guard let sessionID = request.headers[.mcpSessionID] else {
            return Self.jsonError(status: .badRequest, id: nil, code: JSONRPCErrorCode.invalidRequest,
                                  message: "DELETE needs an Mcp-Session-Id header")
        }
        switch await sessions.end(
            sessionID, endpoint: snapshot.endpoint.name, grant: grant?.grantID, idleSeconds: settings().sessionIdleSeconds)
        {
        case .valid:
            return Response(status: .noContent)
        case .refused(let why):
            return Self.jsonError(status: .notFound, id: nil, code: JSONRPCErrorCode.invalidRequest, message: why)
        case .unavailable(let why):
            return Self.jsonError(status: .internalServerError, id: nil, code: JSONRPCErrorCode.internalError, message: why)
        }
    }

    func subscriptionsListen(_ message: JSONRPCMessage, id: RawJSON, exchange: MCPExchange) -> Response {
        let requested = message.paramsMembers["notifications"].flatMap { message.decode($0) }
        let wantsTools = requested?["toolsListChanged"]?.boolValue == true
        let acknowledged: JSONValue = wantsTools ? ["toolsListChanged": true] : [:]
        let subscriptionMeta = RawJSON.object([(MCPProtocol.subscriptionIDKey, id)])
        let ack = JSONRPC.notification(
            method: "notifications/subscriptions/acknowledged",
            params: RawJSON.object([("_meta", subscriptionMeta), ("notifications", RawJSON(acknowledged))]))
        let listener = hub.listen(endpoint: exchange.snapshot.endpoint.name)
        return eventStream(context: exchange.context, grant: exchange.grant) { send in
            try await send(ack)
            // The hub carries only tools/list_changed; here it is tagged with the subscription.
            for await _ in listener.stream where wantsTools {
                try await send(JSONRPC.notification(
                    method: "notifications/tools/list_changed", params: RawJSON.object([("_meta", subscriptionMeta)])))
            }
        }
    }

    // MARK: - Responses

    static func json(_ body: RawJSON, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: body.bytes)))
    }

    static func jsonError(
        status: HTTPResponse.Status, id: RawJSON?, code: Int, message: String, data: JSONValue? = nil
    ) -> Response {
        json(JSONRPC.error(id: id, code: code, message: message, data: data), status: status)
    }

    /// An SSE response. `body` gets a `send` that writes one JSON-RPC message as an event (nil: a comment);
    /// it ends when `body` returns, the client goes away, the server shuts down, or the grant behind the
    /// request is revoked or expires.
    func eventStream(
        context: GatewayRequestContext, grant: AccessTokenGrant?,
        _ body: @escaping @Sendable (_ send: @escaping @Sendable (RawJSON?) async throws -> Void) async throws -> Void
    ) -> Response {
        let channel = context.channel
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache", .init("X-Accel-Buffering")!: "no"],
            body: .init { writer in
                let (events, sink) = AsyncStream<RawJSON?>.makeStream()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        defer { sink.finish() }
                        try await body { message in sink.yield(message) }
                    }
                    group.addTask {
                        // The peer closing the connection ends the stream (and cancels what feeds it).
                        await self.connectionClosed.signal(for: channel).wait()
                        sink.finish()
                    }
                    if let grant {
                        let streams = self.grantStreams
                        let verifier = self.verifier
                        group.addTask {
                            let (id, closed) = streams.register(grantID: grant.grantID)
                            defer { streams.remove(grantID: grant.grantID, id: id) }
                            // Revoked between the request's check and this registration: end now.
                            if let verifier, await !verifier.isActive(grantID: grant.grantID) {
                                sink.finish()
                                return
                            }
                            try await withThrowingTaskGroup(of: Void.self) { watch in
                                watch.addTask { await closed.wait() }
                                watch.addTask { try await Task.sleep(for: .seconds(max(0, grant.expiresAt.timeIntervalSinceNow))) }
                                try await watch.next()
                                watch.cancelAll()
                            }
                            sink.finish()
                        }
                    }
                    group.addTask {
                        // A comment every 15 s keeps proxies from timing the stream out and finds dead peers.
                        while true {
                            try await Task.sleep(for: .seconds(15))
                            sink.yield(nil)
                        }
                    }
                    for await event in events {
                        var buffer = ByteBuffer()
                        if let event {
                            buffer.writeString("event: message\ndata: ")
                            buffer.writeBytes(event.bytes)
                            buffer.writeString("\n\n")
                        } else {
                            buffer.writeString(": sentinel\n\n")
                        }
                        try await writer.write(buffer)
                    }
                    group.cancelAll()
                }
                try await writer.finish(nil)
            })
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}

/// Whether a request may reach an endpoint.
enum Admission {
    case admitted(EndpointSnapshot, AccessTokenGrant?)
    case refused(Response)

    /// The response of a refused admission (only read after matching `.admitted` failed).
    var refusal: Response {
        switch self {
        case .refused(let response): response
        case .admitted: Response(status: .internalServerError)
        }
    }
}

/// One request's context as the handlers pass it along.
struct MCPExchange: Sendable {
    enum Era: Sendable { case handshake, modern }

    let request: Request
    let context: GatewayRequestContext
    let snapshot: EndpointSnapshot
    /// The grant the bearer token belongs to; nil on endpoints without authentication.
    let grant: AccessTokenGrant?
    let sessionID: String?
    let headerVersion: String?
    /// The settings in force when the request arrived (read once per request).
    let settings: GatewaySettings
    var era = Era.handshake
    var protocolVersion = MCPProtocol.assumedVersion
    /// `MCP-Protocol-Version` was absent on a 2026-07-28 body, or named another version than the one
    /// served (known client quirks, served and audited).
    var versionHeaderDiffers = false
    var clientName = "unknown"
    var clientVersion = ""

    init(
        request: Request, context: GatewayRequestContext, snapshot: EndpointSnapshot, grant: AccessTokenGrant?, sessionID: String?,
        headerVersion: String?, settings: GatewaySettings
    ) {
        self.request = request
        self.context = context
        self.snapshot = snapshot
        self.grant = grant
        self.sessionID = sessionID
        self.headerVersion = headerVersion
        self.settings = settings
    }
}

/// Collects a response body (batch elements are answered in one JSON array).
final class ByteCollector: ResponseBodyWriter, @unchecked Sendable {
    var bytes: [UInt8] = []

    func write(_ buffer: ByteBuffer) async throws {
        bytes += buffer.readableBytesView
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

extension HTTPField.Name {
    static let mcpProtocolVersion = Self(MCPProtocol.Header.protocolVersion)!
    static let mcpSessionID = Self(MCPProtocol.Header.sessionID)!
    static let mcpMethod = Self(MCPProtocol.Header.method)!
    static let mcpName = Self(MCPProtocol.Header.name)!
}
