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

    let server: Server
    let url: URL?
    let transport: any HTTPUpstreamTransport
    let clientInfo: RawJSON
    let logger: Logger
    let faults: UpstreamProtocolFaults?
    let notificationSink: AsyncStream<UpstreamNotification>.Continuation
    /// One element each time the session wants a notification stream; `run()` opens it. Finished by `shutdown()`.
    let listenRequests: AsyncStream<Void>
    let listenRequestSink: AsyncStream<Void>.Continuation
    let gate = HTTPHandshakeGate()
    let state = Mutex(State())
    /// Prefix of this client's progress tokens, so they never collide with another client's.
    let tokenPrefix: String

    struct State {
        var era: Era?
        /// What the server declared in its last `server/discover` or `initialize` result.
        var capabilities: ServerCapabilities?
        var nextID = 1
        /// A notification stream is open, or `run()` was asked to open one.
        var listening = false
        var isShutDown = false
    }

    static let modernVersion = MCPProtocol.modernVersion
    static let handshakeVersion = MCPProtocol.latestHandshakeVersion
    static let metaKeys: Set<String> = [
        MCPProtocol.versionKey, MCPProtocol.clientInfoKey, MCPProtocol.clientCapabilitiesKey,
    ]

    /// - Parameters:
    ///   - server: an `http` server; `url` is its Streamable HTTP endpoint.
    ///   - headers: sent with every request (an `Authorization` header, for example).
    ///   - clientName, clientVersion: the `clientInfo` the upstream sees.
    ///   - faults: where the server's protocol faults are counted (events that had to be dropped).
    ///   - urlSessionOnly: URLSession even where SwiftNIO would serve (`[Upstream] HTTPTransport=urlsession`).
    public convenience init(
        server: Server,
        headers: [String: String] = [:],
        clientName: String = "sentinel",
        clientVersion: String,
        logger: Logger,
        faults: UpstreamProtocolFaults? = nil,
        urlSessionOnly: Bool = false
    ) {
        let url = server.url.flatMap { URL(string: $0) }
        var allHeaders = headers.map { (name: $0.key, value: $0.value) }.sorted { $0.name < $1.name }
        if !headers.keys.contains(where: { $0.lowercased() == "user-agent" }) {
            allHeaders.append((name: "User-Agent", value: "\(clientName)/\(clientVersion)"))
        }
        self.init(
            server: server,
            transport: Self.transport(for: url ?? URL(fileURLWithPath: "/"), headers: allHeaders, urlSessionOnly: urlSessionOnly),
            clientName: clientName,
            clientVersion: clientVersion,
            logger: logger,
            faults: faults
        )
    }

    /// NIO HTTP/1.1 for plain-http loopback upstreams (the cheapest per call, see Benchmarks/README.md),
    /// URLSession for everything else, or for everything when `urlSessionOnly` (so the benchmark can compare both).
    static func transport(
        for url: URL, headers: [(name: String, value: String)], urlSessionOnly: Bool
    ) -> any HTTPUpstreamTransport {
        if !urlSessionOnly, HTTPNIOTransport.serves(url) {
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
        (listenRequests, listenRequestSink) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The protocol revision in use: `MCPProtocol.modernVersion`, the revision `initialize` negotiated, or nil before `start()`.
    public var protocolVersion: String? {
        switch state.withLock({ $0.era }) {
        case .modern: Self.modernVersion
        case .handshake(let version, _): version
        case nil: nil
        }
    }

    /// The `capabilities` of the server's `server/discover` result (2026-07-28) or `initialize` result (handshake
    /// era), whichever settled the era last.
    public var capabilities: ServerCapabilities? {
        state.withLock { $0.capabilities }
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
        let era = state.withLock { state in
            defer { state.isShutDown = true }
            return state.era
        }
        // run() ends once its stream (if any) does: the transport's shutdown below closes it.
        listenRequestSink.finish()
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

    func nextIdentifiers(withToken: Bool) -> (id: RawJSON, token: RawJSON?) {
        let number = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        return (RawJSON(Array(String(number).utf8)), withToken ? RawJSON(string: tokenPrefix + String(number)) : nil)
    }

    func currentEra() throws(UpstreamError) -> Era? {
        let (era, isShutDown) = state.withLock { ($0.era, $0.isShutDown) }
        if isShutDown { throw UpstreamError.connectionLost("the client was shut down") }
        return era
    }

    /// The params as sent: our progress token (a caller's own never travels upstream), and the
    /// 2026-07-28 envelope in that era only.
    func shape(_ params: RawJSON?, for era: Era, progressToken: RawJSON?) -> RawJSON? {
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

    var modernMeta: [(name: String, value: RawJSON)] {
        [
            (name: MCPProtocol.versionKey, value: RawJSON(string: Self.modernVersion)),
            (name: MCPProtocol.clientInfoKey, value: clientInfo),
            (name: MCPProtocol.clientCapabilitiesKey, value: .emptyObject),
        ]
    }

    func headers(for era: Era, method: String, params: RawJSON?) -> [(name: String, value: String)] {
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
    func cancelUpstream(id: RawJSON, era: Era, reason: String) {
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
}
