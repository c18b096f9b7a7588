import HTTPTypes
import Hummingbird
import SentinelCore
import SentinelStore

/// `tools/call`: checks the call (tool, arguments, `Mcp-Param-*` headers, concurrency limits), then runs it
/// upstream (`+UpstreamCall`), answering in JSON or, when the client asked for progress, as an event stream.
extension MCPEndpointHandler {
    func toolCall(_ message: JSONRPCMessage, id: RawJSON, exchange: MCPExchange, allowStreaming: Bool) async -> Response {
        let started = ContinuousClock.now
        let endpoint = exchange.snapshot.endpoint
        let params = message.paramsMembers
        guard let name = message.paramsName else {
            auditRefusedCall(message, exchange: exchange, reason: "params.name is required")
            return MCPReplies.json(MCPReplies.invalidParams(id: id, "params.name is required"))
        }
        let argumentsRange = params["arguments"]
        if let argumentsRange, message.bytes[argumentsRange].first != UInt8(ascii: "{") {
            auditRefusedCall(message, exchange: exchange, reason: "params.arguments must be an object")
            return MCPReplies.json(MCPReplies.invalidParams(id: id, "params.arguments must be an object"))
        }
        let requestBytes = argumentsRange?.count ?? 0
        // An exposed name, or else (an MCP App's view calls its server's tools by their own names) the upstream name of
        // the one app-callable tool enabled here that has it (`EndpointSnapshot.appTools`).
        var resolved = exchange.snapshot.byName[name]
        var via: String?
        if resolved == nil, let candidates = exchange.snapshot.appTools[name] {
            guard candidates.count == 1 else {
                let names = candidates.map(\.exposedName)
                let message = "tool name \(name) is ambiguous on this endpoint; call " + names.joined(separator: " or ")
                auditCall(
                    exchange: exchange, exposedName: name, tool: nil, outcome: .denied, started: started,
                    requestBytes: requestBytes, responseBytes: 0, detail: message, reason: "ambiguous-app-call", arguments: nil,
                    result: nil)
                return MCPReplies.json(MCPReplies.invalidParams(id: id, message))
            }
            resolved = candidates[0]
            via = "app-name"
        }
        guard let exposed = resolved, exposed.enabled, let server = exchange.snapshot.servers[exposed.tool.server] else {
            let known = exchange.snapshot.byName[name] != nil
            auditCall(
                exchange: exchange, exposedName: name, tool: exchange.snapshot.byName[name]?.tool, outcome: .denied,
                started: started, requestBytes: requestBytes, responseBytes: 0,
                detail: known ? "tool is disabled on this endpoint" : "no such tool on this endpoint",
                arguments: nil, result: nil)
            return MCPReplies.json(MCPReplies.unknownTool(id: id, name: name))
        }
        // Arguments mirrored into Mcp-Param-* headers must agree with the body (2026-07-28; handshake-era
        // clients send none). Upstream, Sentinel is the client: it mirrors the declared arguments itself,
        // for callers of either era, and forwards the Mcp-Param-* headers it does not know.
        let clientParamHeaders = Self.paramHeaders(of: exchange.request)
        let declared = exchange.snapshot.paramHeaders[exposed.exposedName] ?? []
        let reason = via
        if exchange.era == .modern, !declared.isEmpty,
            let refusal = MCPParamHeader.check(declared, bytes: message.bytes, arguments: argumentsRange, headers: clientParamHeaders)
        {
            return refuse(message, exchange: exchange, status: .badRequest, code: refusal.code, reason: refusal.message)
        }
        let declaredNames = Set(declared.map { $0.headerName.lowercased() })
        let paramHeaders = MCPParamHeader.mirrored(declared, bytes: message.bytes, arguments: argumentsRange)
            + clientParamHeaders.filter { !declaredNames.contains($0.name.lowercased()) }
        let caller = Self.caller(of: exchange)
        if let refusal = acquireSlot(exchange: exchange) {
            auditCall(
                exchange: exchange, exposedName: name, tool: exposed.tool, outcome: .throttled, started: started,
                requestBytes: requestBytes, responseBytes: 0, detail: refusal.message, reason: refusal.reason, arguments: nil,
                result: nil)
            return MCPReplies.throttled(id: id, refusal.message)
        }

        // Forward the client's _meta except what belongs to this hop (its progress token, the era keys).
        let meta = message.metaMembers()
        let clientToken = meta["progressToken"].map { message.raw($0) }
        let forwardedMeta = meta.filter { $0.key != "progressToken" && !$0.key.hasPrefix(MCPProtocol.metaPrefix) }
            .sorted { $0.key < $1.key }
            .map { ($0.key, message.raw($0.value)) }
        var upstreamParams: [(String, RawJSON)] = [
            ("name", RawJSON(string: exposed.tool.name)),
            ("arguments", argumentsRange.map { message.raw($0) } ?? .emptyObject),
        ]
        if !forwardedMeta.isEmpty { upstreamParams.append(("_meta", RawJSON.object(forwardedMeta))) }
        // A 2026-07-28 retry answering an input_required reply (MCPConnectPrompt) is served as a new call; what it
        // answered only changes how a still-missing credential is reported. Neither inputResponses nor a requestState
        // is forwarded upstream: they answer Sentinel, not the upstream.
        var answered: Set<String> = []
        if exchange.era == .modern, let responses = params["inputResponses"],
            let members = try? JSONScanner.members(of: message.bytes, in: JSONScanner.trimmed(message.bytes, responses))
        {
            answered = Set(members.keys)
        }
        let call = UpstreamRequest(
            server: server, method: "tools/call", params: RawJSON.object(upstreamParams), headers: paramHeaders,
            clientToken: clientToken,
            key: InFlightCalls.key(
                endpoint: endpoint.name, grant: exchange.grant?.grantID, session: exchange.sessionID, requestID: id.text),
            answered: answered)
        let capture = endpoint.capturePayloads ? argumentsRange.map { message.raw($0) } : nil

        let accept = exchange.request.headers[.accept] ?? ""
        let streaming = allowStreaming && clientToken != nil && accept.contains("text/event-stream")
        if streaming {
            return eventStream(context: exchange.context, grant: exchange.grant) { send in
                defer { self.limiter.release(endpoint: endpoint.name, caller: caller) }
                let reply = await self.run(
                    call, id: id, exchange: exchange, exposedName: name, tool: exposed.tool, started: started,
                    requestBytes: requestBytes, capture: capture, reason: reason
                ) { progress in
                    try? await send(progress)
                }
                try await send(reply)
            }
        }
        defer { limiter.release(endpoint: endpoint.name, caller: caller) }
        // The client closing its connection cancels the call; it still returns (as cancelled) and is audited.
        let reply = await run(
            call, id: id, exchange: exchange, exposedName: name, tool: exposed.tool, started: started, requestBytes: requestBytes,
            capture: capture, reason: reason, progress: nil, closing: exchange.context.channel)
        return MCPReplies.json(reply)
    }

    /// Takes one slot of the endpoint's concurrency limits (`MaxConcurrentCallsPerEndpoint`, `…PerCaller`) for an upstream
    /// request of any method; nil when it got one (give it back with `limiter.release`), else what to answer and audit.
    func acquireSlot(exchange: MCPExchange) -> (message: String, reason: String)? {
        let endpoint = exchange.snapshot.endpoint.name
        let limits = exchange.settings
        guard let refusal = limiter.acquire(
            endpoint: endpoint, caller: Self.caller(of: exchange), endpointLimit: limits.maxConcurrentCallsPerEndpoint,
            callerLimit: limits.maxConcurrentCallsPerCaller)
        else { return nil }
        switch refusal {
        case .callerShareFull(let limit):
            return ("this caller is running its maximum of \(limit) concurrent calls on endpoint \(endpoint); retry when one finishes",
                    "caller-limit")
        case .endpointFull(let limit):
            return ("endpoint \(endpoint) is running its maximum of \(limit) concurrent calls; retry shortly", "endpoint-limit")
        }
    }

    /// Who a call counts against for the per-caller share: the grant, or on endpoints without authentication the
    /// client address.
    static func caller(of exchange: MCPExchange) -> String {
        if let grant = exchange.grant { return "grant:" + grant.grantID }
        return "address:" + (exchange.context.clientAddress ?? "unknown")
    }

    /// Every `Mcp-Param-*` header field of a request, in order.
    static func paramHeaders(of request: Request) -> [(name: String, value: String)] {
        var found: [(name: String, value: String)] = []
        for field in request.headers where field.name.canonicalName.hasPrefix(paramHeaderPrefix) {
            found.append((field.name.rawName, field.value))
        }
        return found
    }

    static let paramHeaderPrefix = MCPProtocol.Header.parameterPrefix.lowercased()
}
