import Foundation
public import Logging
public import SentinelCore
import Synchronization

/// An MCP session with a remote server over Streamable HTTP, in either protocol era.
///
/// `start()` asks the server for `server/discover`; a server that lists 2026-07-28 is spoken to
/// statelessly (every request carries the `_meta` envelope and the `Mcp-Method`/`Mcp-Name`
/// headers). Any other answer falls back to the handshake era: `initialize` (2025-11-25),
/// `notifications/initialized`, then `Mcp-Session-Id` and `MCP-Protocol-Version` on every request;
/// a 404 to a request that carried the session re-initializes once and retries.
///
/// Responses may be one JSON object or an event stream; progress and notifications are handled
/// as the stream delivers them. Server notifications outside any request arrive on a GET stream
/// (handshake era) or a `subscriptions/listen` stream (modern era, when the server has list-changed
/// capabilities), both reopened with backoff. Call `shutdown()` when done: it ends the session
/// (DELETE), stops the notification stream and releases the connections.
public final class HTTPUpstreamClient: UpstreamClient {
    public let notifications: AsyncStream<UpstreamNotification>

    private let server: Server
    private let url: URL?
    private let transport: any HTTPUpstreamTransport
    private let clientInfo: RawJSON
    private let logger: Logger
    private let faults: UpstreamProtocolFaults?
    private let notificationSink: AsyncStream<UpstreamNotification>.Continuation
    private let gate = HTTPHandshakeGate()
    private let state = Mutex(State())
    /// Prefix of this client's progress tokens, so they never collide with another client's.
    private let tokenPrefix: String

    private struct State {
        var era: Era?
        var nextID = 1
        var listener: Task<Void, Never>?
        var isShutDown = false
    }

    enum Era: Sendable, Equatable {
        /// 2026-07-28: stateless requests; whether the server offers `subscriptions/listen` streams.
        case modern(listen: ListenFilter)
        /// 2025-11-25 and earlier: the negotiated revision and the session, if the server issued one.
        case handshake(version: String, sessionID: String?)
    }

    /// Which list-changed notifications the modern server advertises.
    struct ListenFilter: Sendable, Equatable {
        var tools = false
        var prompts = false
        var resources = false
        var isEmpty: Bool { !tools && !prompts && !resources }
    }

    static let modernVersion = MCPProtocol.modernVersion
    static let handshakeVersion = MCPProtocol.latestHandshakeVersion
    private static let metaKeys: Set<String> = [
        MCPProtocol.versionKey, MCPProtocol.clientInfoKey, MCPProtocol.clientCapabilitiesKey,
    ]

    /// - Parameters:
    ///   - server: an `http` server; `url` is its Streamable HTTP endpoint.
    ///   - headers: sent with every request (an `Authorization` header, for example).
    ///   - clientName, clientVersion: the `clientInfo` the upstream sees.
    ///   - faults: where the server's protocol faults are counted (events that had to be dropped).
    public convenience init(
        server: Server,
        headers: [String: String] = [:],
        clientName: String = "sentinel",
        clientVersion: String,
        logger: Logger,
        faults: UpstreamProtocolFaults? = nil
    ) {
        let url = server.url.flatMap { URL(string: $0) }
        var allHeaders = headers.map { (name: $0.key, value: $0.value) }.sorted { $0.name < $1.name }
        if !headers.keys.contains(where: { $0.lowercased() == "user-agent" }) {
            allHeaders.append((name: "User-Agent", value: "\(clientName)/\(clientVersion)"))
        }
        self.init(
            server: server,
            transport: Self.transport(for: url ?? URL(fileURLWithPath: "/"), headers: allHeaders),
            clientName: clientName,
            clientVersion: clientVersion,
            logger: logger,
            faults: faults
        )
    }

    /// NIO HTTP/1.1 for plain-http loopback upstreams (the cheapest per call, see Benchmarks/README.md),
    /// URLSession for everything else. `SENTINEL_HTTP_UPSTREAM_TRANSPORT=urlsession` forces URLSession,
    /// so the benchmark can compare both.
    static func transport(for url: URL, headers: [(name: String, value: String)]) -> any HTTPUpstreamTransport {
        let forced = ProcessInfo.processInfo.environment["SENTINEL_HTTP_UPSTREAM_TRANSPORT"]
        if forced != "urlsession", HTTPNIOTransport.serves(url) {
            return HTTPNIOTransport(url: url, headers: headers)
        }
        return HTTPURLSessionTransport(url: url, headers: headers)
    }

    init(
        server: Server, transport: any HTTPUpstreamTransport, clientName: String, clientVersion: String, logger: Logger,
        faults: UpstreamProtocolFaults? = nil
    ) {
        self.faults = faults
        self.server = server
        self.url = server.url.flatMap { URL(string: $0) }.flatMap { ["http", "https"].contains($0.scheme?.lowercased()) ? $0 : nil }
        self.transport = transport
        self.clientInfo = RawJSON(JSONValue.object(["name": .string(clientName), "version": .string(clientVersion)]))
        var logger = logger
        logger[metadataKey: "server"] = "\(server.name)"
        self.logger = logger
        self.tokenPrefix = "sentinel-" + UUID().uuidString.lowercased().prefix(13) + "-"
        (notifications, notificationSink) = AsyncStream.makeStream(of: UpstreamNotification.self, bufferingPolicy: .bufferingNewest(1024))
    }

    /// The protocol revision in use: `MCPProtocol.modernVersion`, the revision `initialize` negotiated, or nil before `start()`.
    public var protocolVersion: String? {
        switch state.withLock({ $0.era }) {
        case .modern: Self.modernVersion
        case .handshake(let version, _): version
        case nil: nil
        }
    }

    /// The `Mcp-Session-Id` the server issued (handshake era), if any.
    public var sessionID: String? {
        if case .handshake(_, let session) = state.withLock({ $0.era }) { return session }
        return nil
    }

    // MARK: - Lifecycle

    public func start() async throws(UpstreamError) {
        if try currentEra() != nil { return }
        await gate.acquire()
        do {
            if try currentEra() == nil { try await negotiate() }
        } catch {
            await gate.release()
            throw error
        }
        await gate.release()
    }

    public func shutdown() async {
        let (listener, era) = state.withLock { state in
            defer {
                state.isShutDown = true
                state.listener = nil
            }
            return (state.listener, state.era)
        }
        listener?.cancel()
        await listener?.value
        if case .handshake(let version, let session?) = era {
            // Ending the session is a courtesy: the server expires it anyway.
            let request = HTTPUpstreamRequest(
                method: "DELETE",
                headers: [("Mcp-Session-Id", session), ("MCP-Protocol-Version", version)],
                idleTimeout: .seconds(2)
            )
            let transport = self.transport
            _ = try? await withDeadline(.now + .seconds(2)) {
                for try await _ in transport.execute(request) {}
                return true
            }
        }
        transport.shutdown()
        notificationSink.finish()
    }

    // MARK: - Requests

    public func request(
        _ method: String,
        params: RawJSON?,
        timeout: Duration,
        progress: (@Sendable (RawJSON) -> Void)?
    ) async throws -> RawJSON {
        try await request(method, params: params, headers: [], timeout: timeout, progress: progress)
    }

    /// `extraHeaders` (a client's `Mcp-Param-*`, say) go with every POST of the request, after Sentinel's own.
    public func request(
        _ method: String,
        params: RawJSON?,
        headers extraHeaders: [(name: String, value: String)],
        timeout: Duration,
        progress: (@Sendable (RawJSON) -> Void)?
    ) async throws -> RawJSON {
        let deadline = ContinuousClock.now + timeout
        try await start()
        var reinitialized = false
        while true {
            let era = try currentEra() ?? .handshake(version: Self.handshakeVersion, sessionID: nil)
            let (id, token) = nextIdentifiers(withToken: progress != nil)
            let message = JSONRPC.request(id: id, method: method, params: shape(params, for: era, progressToken: token))
            let headers = headers(for: era, method: method, params: params) + extraHeaders
            let idle = timeout + .seconds(5)
            let outcome: Outcome
            do {
                if transport.enforcesDeadlines {
                    // No deadline task per call: the transport fails the exchange at the deadline.
                    let call = Call(id: id, progressToken: token, progress: progress, deadline: deadline)
                    outcome = try await post(message, headers: headers, call: call, era: era, idleTimeout: idle)
                } else {
                    let call = Call(id: id, progressToken: token, progress: progress)
                    outcome = try await withDeadline(deadline) {
                        try await self.post(message, headers: headers, call: call, era: era, idleTimeout: idle)
                    }
                }
            } catch is DeadlineReached {
                cancelUpstream(id: id, era: era, reason: "timed out after \(timeout.components.seconds) s")
                throw UpstreamError.timeout(timeout)
            } catch is CancellationError {
                cancelUpstream(id: id, era: era, reason: "the caller cancelled the request")
                throw CancellationError()
            } catch {
                throw Self.upstreamError(error)
            }
            switch outcome {
            case .result(let result, _):
                return result
            case .error(let code, let message, let raw):
                throw UpstreamError.rpc(code: code, message: message, raw: raw)
            case .sessionGone(let session):
                guard !reinitialized else {
                    throw UpstreamError.protocolViolation("HTTP 404: the server lost the new session \(session) at once")
                }
                reinitialized = true
                logger.info("upstream session expired, initializing again", metadata: ["session": "\(session)"])
                try await reinitialize(replacing: session, deadline: deadline)
            }
        }
    }

    /// What one request needs while its response is read.
    struct Call: Sendable {
        var id: RawJSON
        var progressToken: RawJSON?
        var progress: (@Sendable (RawJSON) -> Void)?
        /// Set when the transport enforces it: every exchange of the call carries it.
        var deadline: ContinuousClock.Instant?
    }

    enum Outcome: Sendable {
        case result(RawJSON, HTTPResponseHead)
        case error(code: Int, message: String, raw: RawJSON)
        /// 404 to a request that carried this session id.
        case sessionGone(String)
    }

    private func nextIdentifiers(withToken: Bool) -> (id: RawJSON, token: RawJSON?) {
        let number = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        return (RawJSON(Array(String(number).utf8)), withToken ? RawJSON(string: tokenPrefix + String(number)) : nil)
    }

    private func currentEra() throws(UpstreamError) -> Era? {
        let (era, isShutDown) = state.withLock { ($0.era, $0.isShutDown) }
        if isShutDown { throw UpstreamError.connectionLost("the client was shut down") }
        return era
    }

    /// The params as sent: our progress token (a caller's own never travels upstream), and the
    /// 2026-07-28 envelope in that era only.
    private func shape(_ params: RawJSON?, for era: Era, progressToken: RawJSON?) -> RawJSON? {
        var members: [(name: String, value: RawJSON)] = []
        var removing: Set<String> = []
        if let progressToken {
            members.append((name: "progressToken", value: progressToken))
        } else {
            removing.insert("progressToken")
        }
        switch era {
        case .modern:
            members += modernMeta
        case .handshake:
            // A handshake-era server refuses requests carrying the modern envelope.
            removing.formUnion(Self.metaKeys)
        }
        return HTTPRequestParams.settingMeta(members, removing: removing, in: params)
    }

    private var modernMeta: [(name: String, value: RawJSON)] {
        [
            (name: MCPProtocol.versionKey, value: RawJSON(string: Self.modernVersion)),
            (name: MCPProtocol.clientInfoKey, value: clientInfo),
            (name: MCPProtocol.clientCapabilitiesKey, value: .emptyObject),
        ]
    }

    private func headers(for era: Era, method: String, params: RawJSON?) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"),
            ("Accept", "application/json, text/event-stream"),
        ]
        switch era {
        case .modern:
            headers.append(("MCP-Protocol-Version", Self.modernVersion))
            headers.append(("Mcp-Method", HTTPRequestParams.headerValue(method)))
            if let name = HTTPRequestParams.routingName(method: method, params: params) {
                headers.append(("Mcp-Name", HTTPRequestParams.headerValue(name)))
            }
        case .handshake(let version, let session):
            headers.append(("MCP-Protocol-Version", version))
            if let session { headers.append(("Mcp-Session-Id", session)) }
        }
        return headers
    }

    /// Tells a handshake-era server to stop working on a request. In the 2026-07-28 era closing
    /// the response stream (already done by then) is the cancellation.
    private func cancelUpstream(id: RawJSON, era: Era, reason: String) {
        guard case .handshake = era else { return }
        let params = RawJSON.object([("requestId", id), ("reason", RawJSON(string: reason))])
        let message = JSONRPC.notification(method: "notifications/cancelled", params: params)
        transport.send(
            HTTPUpstreamRequest(
                method: "POST",
                headers: headers(for: era, method: "notifications/cancelled", params: nil),
                body: message.bytes,
                idleTimeout: .seconds(max(1, Int64(server.connectTimeoutSeconds)))
            )
        )
    }

    // MARK: - One exchange

    /// POSTs a request and reads its answer, from a JSON body or an event stream.
    private func post(
        _ message: RawJSON,
        headers: [(name: String, value: String)],
        call: Call,
        era: Era,
        idleTimeout: Duration
    ) async throws -> Outcome {
        var request = HTTPUpstreamRequest(method: "POST", headers: headers, body: message.bytes, idleTimeout: idleTimeout)
        request.deadline = call.deadline
        var iterator = transport.execute(request).makeAsyncIterator()
        let head = try await Self.readHead(&iterator)
        switch head.status {
        case 202, 204:
            throw UpstreamError.protocolViolation("HTTP \(head.status) without a response to a request")
        case 200..<300:
            if head.mediaType == "text/event-stream" {
                return try await readEventStream(iterator, head: head, call: call, era: era, idleTimeout: idleTimeout)
            }
            let body = try await Self.readBody(&iterator, limit: 256 << 20)
            let answer: JSONRPCMessage
            do {
                answer = try JSONRPCMessage(parsing: body)
            } catch {
                throw UpstreamError.protocolViolation("HTTP \(head.status): the body is not a JSON-RPC message: \(Self.excerpt(body))")
            }
            guard let outcome = Self.outcome(of: answer, for: call.id, head: head) else {
                throw UpstreamError.protocolViolation("HTTP \(head.status): the body is not the answer to request \(call.id.text)")
            }
            return outcome
        default:
            if head.status == 404, case .handshake(_, let session?) = era {
                return .sessionGone(session)
            }
            let body = try await Self.readBody(&iterator, limit: 64 << 10)
            if head.status == 401 {
                throw UpstreamError.unauthorized("HTTP 401: \(Self.excerpt(body))")
            }
            // Modern-era servers send JSON-RPC errors with 4xx statuses (method not found → 404, invalid params → 400), and
            // a server that could not read the request answers 400 with an error whose id is null.
            if let answer = try? JSONRPCMessage(parsing: body), answer.kind == .errorResponse,
                let outcome = Self.outcome(of: answer, for: call.id, head: head)
            {
                return outcome
            }
            guard (400..<600).contains(head.status) else {
                throw UpstreamError.protocolViolation("HTTP \(head.status): \(Self.excerpt(body))")
            }
            throw UpstreamError.httpStatus(head.status, detail: Self.excerpt(body))
        }
    }

    /// Reads an event stream until the answer to `call` arrives, passing progress and
    /// notifications on and answering server requests. A handshake-era stream that ends early
    /// after giving event ids is resumed with a GET carrying `Last-Event-ID`.
    private func readEventStream(
        _ iterator: AsyncThrowingStream<HTTPResponsePart, any Error>.AsyncIterator,
        head: HTTPResponseHead,
        call: Call,
        era: Era,
        idleTimeout: Duration
    ) async throws -> Outcome {
        var iterator = iterator
        var lastEventID: String?
        var retry: Duration = .milliseconds(500)
        var resumptions = 0
        while true {
            var parser = SSEParser()
            var sawEvent = false
            while let part = try await iterator.next() {
                guard case .body(let chunk) = part else { continue }
                let events: [SSEEvent]
                do {
                    events = try parser.feed(chunk)
                } catch {
                    throw UpstreamError.protocolViolation("\(error)")
                }
                for event in events {
                    sawEvent = true
                    if let outcome = try handle(event, call: call, era: era, head: head) { return outcome }
                }
                lastEventID = parser.lastEventID ?? lastEventID
            }
            try Task.checkCancellation()
            if let milliseconds = parser.retryMilliseconds { retry = .milliseconds(milliseconds) }
            guard case .handshake(let version, let session) = era, let lastEventID else {
                throw UpstreamError.connectionLost("the response stream ended before the answer to request \(call.id.text)")
            }
            resumptions = sawEvent ? 1 : resumptions + 1
            guard resumptions <= 5 else {
                throw UpstreamError.connectionLost("the response stream ended repeatedly before the answer to request \(call.id.text)")
            }
            logger.debug("resuming the response stream", metadata: ["lastEventID": "\(lastEventID)"])
            if let deadline = call.deadline, ContinuousClock.now + retry >= deadline { throw DeadlineReached() }
            try await Task.sleep(for: retry)
            var headers: [(name: String, value: String)] = [
                ("Accept", "text/event-stream"), ("MCP-Protocol-Version", version), ("Last-Event-ID", lastEventID),
            ]
            if let session { headers.append(("Mcp-Session-Id", session)) }
            var resume = HTTPUpstreamRequest(method: "GET", headers: headers, idleTimeout: idleTimeout)
            resume.deadline = call.deadline
            iterator = transport.execute(resume).makeAsyncIterator()
            let resumed = try await Self.readHead(&iterator)
            guard resumed.status == 200, resumed.mediaType == "text/event-stream" else {
                let body = try await Self.readBody(&iterator, limit: 64 << 10)
                throw UpstreamError.connectionLost(
                    "the response stream ended and could not be resumed: HTTP \(resumed.status): \(Self.excerpt(body))"
                )
            }
        }
    }

    /// Acts on one event of a response stream; returns the outcome when it is the answer.
    private func handle(_ event: SSEEvent, call: Call?, era: Era, head: HTTPResponseHead) throws(UpstreamError) -> Outcome? {
        guard event.type == "message", event.data.contains(where: { $0 > 0x20 }) else { return nil }
        let message: JSONRPCMessage
        do {
            message = try JSONRPCMessage(parsing: event.data)
        } catch {
            // An answer whose only fault is its text still names its request: fail that call now.
            if let call, let lenient = try? JSONRPCMessage(parsing: event.data, allowingInvalidUnicode: true),
                lenient.kind == .response || lenient.kind == .errorResponse, lenient.id == call.id
            {
                fault("answered request \(call.id.text) with text that is not valid UTF-8 JSON", data: event.data)
                throw .protocolViolation("the answer is not valid UTF-8 JSON (RFC 8259 §8.1): \(error.message)")
            }
            fault("sent an event that is not JSON-RPC: \(error.message)", data: event.data)
            return nil
        }
        switch message.kind {
        case .response, .errorResponse:
            guard let call else {
                if message.id == nil { fault("sent an error without an id on its notification stream", data: event.data) }
                return nil
            }
            return Self.outcome(of: message, for: call.id, head: head)
        case .notification:
            let method = message.method ?? ""
            if method == "notifications/progress" {
                if let call, let token = call.progressToken, let progress = call.progress,
                    let range = message.paramsMembers["progressToken"], message.raw(range) == token,
                    let params = message.params
                {
                    progress(message.raw(params))
                }
                return nil
            }
            if method == "notifications/subscriptions/acknowledged" { return nil }
            notificationSink.yield(UpstreamNotification(method: method, params: message.params.map { message.raw($0) }))
            return nil
        case .request:
            answer(message, era: era)
            return nil
        }
    }

    /// Logs and counts an event that had to be dropped.
    private func fault(_ why: String, data: [UInt8]) {
        logger.warning(
            "protocol fault of the http server",
            metadata: ["reason": "\(why)", "event": "\(Self.excerpt(data))"])
        faults?.record(server: server.name)
    }

    /// Answers a request the server sent on a stream: `ping` with an empty result, anything else
    /// with "method not found" (the gateway offers no sampling, roots or elicitation upstream).
    private func answer(_ request: JSONRPCMessage, era: Era) {
        guard let id = request.id else { return }
        let reply =
            request.method == "ping"
            ? JSONRPC.result(id: id, result: .emptyObject)
            : JSONRPC.error(id: id, code: JSONRPCErrorCode.methodNotFound, message: "Method not found: \(request.method ?? "")")
        var headers = headers(for: era, method: "", params: nil).filter { $0.name != "Mcp-Method" }
        if case .modern = era { headers.removeAll { $0.name == "Mcp-Name" } }
        transport.send(
            HTTPUpstreamRequest(
                method: "POST",
                headers: headers,
                body: reply.bytes,
                idleTimeout: .seconds(max(1, Int64(server.connectTimeoutSeconds)))
            )
        )
    }

    /// The outcome when `message` answers request `id`. An error with a null id counts: it came back
    /// on that request's own response (body or stream), where nothing else can have caused it.
    private static func outcome(of message: JSONRPCMessage, for id: RawJSON, head: HTTPResponseHead) -> Outcome? {
        guard message.id == id || (message.kind == .errorResponse && message.id == nil) else { return nil }
        if let result = message.result { return .result(message.raw(result), head) }
        if let error = message.error {
            let details = message.errorDetails ?? (0, "")
            return .error(code: details.code, message: details.message, raw: message.raw(error))
        }
        return nil
    }

    private static func readHead(
        _ iterator: inout AsyncThrowingStream<HTTPResponsePart, any Error>.AsyncIterator
    ) async throws -> HTTPResponseHead {
        while let part = try await iterator.next() {
            if case .head(let head) = part { return head }
        }
        try Task.checkCancellation()
        throw UpstreamError.connectionLost("the connection closed before a response")
    }

    private static func readBody(
        _ iterator: inout AsyncThrowingStream<HTTPResponsePart, any Error>.AsyncIterator,
        limit: Int
    ) async throws -> [UInt8] {
        var body: [UInt8] = []
        while let part = try await iterator.next() {
            guard case .body(let chunk) = part else { continue }
            body += chunk
            if body.count > limit { throw UpstreamError.protocolViolation("the response is larger than \(limit) bytes") }
        }
        try Task.checkCancellation()
        return body
    }

    private static func excerpt(_ body: [UInt8]) -> String {
        String(decoding: body.prefix(200), as: UTF8.self)
    }

    private static func upstreamError(_ error: HTTPTransportError) -> UpstreamError {
        switch error {
        case .connectFailed(let why): .connectFailed(why)
        case .connectionLost(let why): .connectionLost(why)
        }
    }

    /// Maps whatever an exchange threw to the error callers see.
    private static func upstreamError(_ error: any Error) -> UpstreamError {
        if let error = error as? UpstreamError { return error }
        if let error = error as? HTTPTransportError { return upstreamError(error) }
        return .connectionLost("\(error)")
    }

    // MARK: - Negotiation

    /// Picks the era: `server/discover` first, `initialize` when the server does not speak 2026-07-28.
    private func negotiate() async throws(UpstreamError) {
        guard url != nil else {
            throw UpstreamError.connectFailed("'\(server.url ?? "")' is not an http:// or https:// URL")
        }
        let limit = Duration.seconds(server.connectTimeoutSeconds)
        let deadline = ContinuousClock.now + limit
        let modern = Era.modern(listen: ListenFilter())
        let discovery: Outcome
        do {
            discovery = try await exchange("server/discover", params: nil, era: modern, deadline: deadline, limit: limit)
        } catch {
            switch error {
            case .connectFailed, .timeout, .unauthorized: throw error
            default:
                logger.debug("server/discover failed, trying initialize", metadata: ["error": "\(error)"])
                return try await initialize(deadline: deadline, limit: limit)
            }
        }
        if case .result(let result, _) = discovery, let decoded = try? result.decoded(),
            decoded["supportedVersions"]?.arrayValue?.contains(.string(Self.modernVersion)) == true
        {
            let capabilities = decoded["capabilities"]
            let filter = ListenFilter(
                tools: capabilities?["tools"]?["listChanged"]?.boolValue == true,
                prompts: capabilities?["prompts"]?["listChanged"]?.boolValue == true,
                resources: capabilities?["resources"]?["listChanged"]?.boolValue == true
            )
            let era = Era.modern(listen: filter)
            state.withLock { $0.era = era }
            logger.debug("upstream speaks \(Self.modernVersion)")
            if !filter.isEmpty { startListener() }
            return
        }
        logger.debug("server/discover did not offer \(Self.modernVersion), trying initialize")
        try await initialize(deadline: deadline, limit: limit)
    }

    /// The handshake: `initialize`, then `notifications/initialized`.
    private func initialize(deadline: ContinuousClock.Instant, limit: Duration) async throws(UpstreamError) {
        let params = RawJSON.object([
            ("protocolVersion", RawJSON(string: Self.handshakeVersion)),
            ("capabilities", .emptyObject),
            ("clientInfo", clientInfo),
        ])
        // No session and no version header yet: this is what a first contact looks like.
        let bare = Era.handshake(version: Self.handshakeVersion, sessionID: nil)
        let outcome = try await exchange("initialize", params: params, era: bare, deadline: deadline, limit: limit, versionHeader: false)
        guard case .result(let result, let head) = outcome else {
            if case .error(let code, let message, _) = outcome {
                throw UpstreamError.handshakeFailed("initialize: error \(code): \(message)")
            }
            throw UpstreamError.handshakeFailed("initialize: no result")
        }
        let version = (try? result.decoded())?["protocolVersion"]?.stringValue ?? Self.handshakeVersion
        let session = head.header("mcp-session-id")
        let era = Era.handshake(version: version, sessionID: session)
        let message = JSONRPC.notification(method: "notifications/initialized", params: nil)
        let request = HTTPUpstreamRequest(
            method: "POST",
            headers: headers(for: era, method: "notifications/initialized", params: nil),
            body: message.bytes,
            idleTimeout: limit
        )
        let transport = self.transport
        do {
            let status = try await withDeadline(deadline) {
                var iterator = transport.execute(request).makeAsyncIterator()
                let head = try await Self.readHead(&iterator)
                _ = try await Self.readBody(&iterator, limit: 64 << 10)
                return head.status
            }
            if !(200..<300).contains(status) {
                logger.warning("the server refused notifications/initialized", metadata: ["status": "\(status)"])
            }
        } catch is DeadlineReached {
            throw UpstreamError.timeout(limit)
        } catch {
            throw Self.upstreamError(error)
        }
        state.withLock { $0.era = era }
        logger.debug("upstream initialized", metadata: ["version": "\(version)", "session": "\(session ?? "-")"])
        startListener()
    }

    /// Initializes again after the server forgot `session`, unless another caller already did.
    private func reinitialize(replacing session: String, deadline: ContinuousClock.Instant) async throws(UpstreamError) {
        await gate.acquire()
        do {
            if case .handshake(_, let current) = try currentEra(), current == session {
                state.withLock { $0.era = nil }
                let limit = Duration.seconds(server.connectTimeoutSeconds)
                try await initialize(deadline: min(deadline, .now + limit), limit: limit)
            }
        } catch {
            await gate.release()
            throw error
        }
        await gate.release()
    }

    /// One request during negotiation, bounded by the connect timeout.
    private func exchange(
        _ method: String,
        params: RawJSON?,
        era: Era,
        deadline: ContinuousClock.Instant,
        limit: Duration,
        versionHeader: Bool = true
    ) async throws(UpstreamError) -> Outcome {
        let (id, _) = nextIdentifiers(withToken: false)
        let message = JSONRPC.request(id: id, method: method, params: shape(params, for: era, progressToken: nil))
        let headers = headers(for: era, method: method, params: params).filter {
            versionHeader || $0.name != "MCP-Protocol-Version"
        }
        let call = Call(id: id, progressToken: nil, progress: nil)
        do {
            return try await withDeadline(deadline) {
                try await self.post(message, headers: headers, call: call, era: era, idleTimeout: limit)
            }
        } catch is DeadlineReached {
            throw UpstreamError.timeout(limit)
        } catch {
            throw Self.upstreamError(error)
        }
    }

    // MARK: - Server notifications outside requests

    private func startListener() {
        state.withLock { state in
            guard state.listener == nil, !state.isShutDown else { return }
            state.listener = Task { await self.listen() }
        }
    }

    /// Keeps a notification stream open: GET (handshake era) or `subscriptions/listen` (modern era).
    private func listen() async {
        var backoff = Duration.milliseconds(500)
        var refusals = 0
        /// Where the last GET stream got to, and in which session (an id means nothing in another one).
        var position: (session: String?, eventID: String)?
        defer { state.withLock { $0.listener = nil } }
        while !Task.isCancelled {
            let current: Era?
            do {
                current = try currentEra()
            } catch {
                return
            }
            guard let era = current else {
                // Between sessions (a failed re-initialization): wait for the next request to connect.
                guard (try? await Task.sleep(for: backoff)) != nil else { return }
                backoff = min(backoff * 2, .seconds(30))
                continue
            }
            if case .handshake(_, let session) = era, position?.session != session { position = nil }
            let opened = ContinuousClock.now
            let result = await openNotificationStream(era: era, position: &position)
            switch result {
            case .unsupported:
                logger.debug("the server offers no notification stream")
                return
            case .ended(let sawEvent, let retry):
                // A stream that is closed at once, over and over, is retried with growing delays.
                if sawEvent || ContinuousClock.now - opened > .seconds(5) {
                    refusals = 0
                    backoff = retry ?? .milliseconds(500)
                }
            case .sessionGone(let session):
                do {
                    try await reinitialize(replacing: session, deadline: .now + .seconds(server.connectTimeoutSeconds))
                    continue
                } catch {
                    logger.warning("cannot initialize again for the notification stream", metadata: ["error": "\(error)"])
                }
            case .refused(let why):
                refusals += 1
                logger.debug("the notification stream was refused", metadata: ["why": "\(why)"])
                if refusals >= 5 {
                    logger.warning("giving up on the notification stream", metadata: ["why": "\(why)"])
                    return
                }
            case .failed(let why):
                logger.debug("the notification stream failed", metadata: ["why": "\(why)"])
            }
            do {
                try await Task.sleep(for: backoff)
            } catch {
                return
            }
            backoff = min(backoff * 2, .seconds(30))
        }
    }

    private enum StreamEnd {
        case unsupported
        case ended(sawEvent: Bool, retry: Duration?)
        case sessionGone(String)
        case refused(String)
        case failed(String)
    }

    private func openNotificationStream(era: Era, position: inout (session: String?, eventID: String)?) async -> StreamEnd {
        let request: HTTPUpstreamRequest
        var call: Call?
        switch era {
        case .handshake(let version, let session):
            var headers: [(name: String, value: String)] = [("Accept", "text/event-stream"), ("MCP-Protocol-Version", version)]
            if let session { headers.append(("Mcp-Session-Id", session)) }
            if let position { headers.append(("Last-Event-ID", position.eventID)) }
            request = HTTPUpstreamRequest(method: "GET", headers: headers, idleTimeout: .seconds(86400))
        case .modern(let filter):
            var wanted: [(String, RawJSON)] = []
            if filter.tools { wanted.append(("toolsListChanged", RawJSON(.bool(true)))) }
            if filter.prompts { wanted.append(("promptsListChanged", RawJSON(.bool(true)))) }
            if filter.resources { wanted.append(("resourcesListChanged", RawJSON(.bool(true)))) }
            let params = RawJSON.object([("notifications", RawJSON.object(wanted))])
            let (id, _) = nextIdentifiers(withToken: false)
            call = Call(id: id, progressToken: nil, progress: nil)
            let message = JSONRPC.request(
                id: id,
                method: "subscriptions/listen",
                params: shape(params, for: era, progressToken: nil)
            )
            request = HTTPUpstreamRequest(
                method: "POST",
                headers: headers(for: era, method: "subscriptions/listen", params: params),
                body: message.bytes,
                idleTimeout: .seconds(86400)
            )
        }
        var iterator = transport.execute(request).makeAsyncIterator()
        do {
            let head = try await Self.readHead(&iterator)
            guard head.status == 200, head.mediaType == "text/event-stream" else {
                let body = (try? await Self.readBody(&iterator, limit: 64 << 10)) ?? []
                switch head.status {
                case 405: return .unsupported
                case 404:
                    if case .handshake(_, let session?) = era { return .sessionGone(session) }
                    return .unsupported
                default:
                    if case .modern = era, let answer = try? JSONRPCMessage(parsing: body), answer.kind == .errorResponse,
                        answer.errorDetails?.code == JSONRPCErrorCode.methodNotFound
                    {
                        return .unsupported
                    }
                    return .refused("HTTP \(head.status): \(Self.excerpt(body))")
                }
            }
            var parser = SSEParser()
            var sawEvent = false
            while let part = try await iterator.next() {
                guard case .body(let chunk) = part else { continue }
                let events = try parser.feed(chunk)
                for event in events {
                    if let outcome = try handle(event, call: call, era: era, head: head) {
                        // A listen stream's result means the server closed it on purpose.
                        if case .error(let code, _, _) = outcome, code == JSONRPCErrorCode.methodNotFound { return .unsupported }
                        return .ended(sawEvent: true, retry: nil)
                    }
                }
                if let id = parser.lastEventID, case .handshake(_, let session) = era { position = (session, id) }
                sawEvent = sawEvent || !events.isEmpty
            }
            return .ended(sawEvent: sawEvent, retry: parser.retryMilliseconds.map { .milliseconds($0) })
        } catch {
            return .failed("\(error)")
        }
    }
}

/// Serializes handshakes: concurrent callers wait for the one in progress instead of starting theirs.
private actor HTTPHandshakeGate {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            busy = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}

/// The deadline passed before the operation finished (thrown by `withDeadline`, or by a transport
/// that enforces `HTTPUpstreamRequest.deadline` itself).
struct DeadlineReached: Error {}

/// Runs `operation`, cancelling it at `deadline` (then `DeadlineReached` is thrown).
private func withDeadline<T: Sendable>(
    _ deadline: ContinuousClock.Instant,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(until: deadline, clock: .continuous)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw DeadlineReached() }
        return value
    }
}
