import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SentinelCore
import SentinelStore
import SentinelUpstream

/// How a tool call ended, as the audit records it.
enum ToolCallOutcome: String {
    case ok, error, denied, timeout, cancelled
    /// Refused with 429: the endpoint, or the caller's share of it, was running its maximum of concurrent calls.
    case throttled
}

extension MCPEndpointHandler {
    func toolCall(_ message: JSONRPCMessage, id: RawJSON, exchange: MCPExchange, allowStreaming: Bool) async -> Response {
        let started = ContinuousClock.now
        let endpoint = exchange.snapshot.endpoint
        let params = message.paramsMembers
        guard let name = message.paramsName else {
            auditRefusedCall(message, exchange: exchange, reason: "params.name is required")
            return Self.json(JSONRPC.error(id: id, code: JSONRPCErrorCode.invalidParams, message: "params.name is required"))
        }
        let argumentsRange = params["arguments"]
        if let argumentsRange, message.bytes[argumentsRange].first != UInt8(ascii: "{") {
            auditRefusedCall(message, exchange: exchange, reason: "params.arguments must be an object")
            return Self.json(JSONRPC.error(id: id, code: JSONRPCErrorCode.invalidParams, message: "params.arguments must be an object"))
        }
        let requestBytes = argumentsRange?.count ?? 0
        guard let exposed = exchange.snapshot.byName[name], exposed.enabled,
            let server = exchange.snapshot.servers[exposed.tool.server]
        else {
            let known = exchange.snapshot.byName[name] != nil
            auditCall(
                exchange: exchange, exposedName: name, tool: exchange.snapshot.byName[name]?.tool, outcome: .denied,
                started: started, requestBytes: requestBytes, responseBytes: 0,
                detail: known ? "tool is disabled on this endpoint" : "no such tool on this endpoint",
                arguments: nil, result: nil)
            return Self.json(JSONRPC.error(id: id, code: JSONRPCErrorCode.invalidParams, message: "Unknown tool: \(name)"))
        }
        // Arguments mirrored into Mcp-Param-* headers must agree with the body (2026-07-28; handshake-era
        // clients send none). Upstream, Sentinel is the client: it mirrors the declared arguments itself,
        // for callers of either era, and forwards the Mcp-Param-* headers it does not know.
        let clientParamHeaders = Self.paramHeaders(of: exchange.request)
        let declared = exchange.snapshot.paramHeaders[name] ?? []
        if exchange.era == .modern, !declared.isEmpty,
            let refusal = MCPParamHeader.check(declared, bytes: message.bytes, arguments: argumentsRange, headers: clientParamHeaders)
        {
            return refuse(message, exchange: exchange, status: .badRequest, code: refusal.code, reason: refusal.message)
        }
        let declaredNames = Set(declared.map { $0.headerName.lowercased() })
        let paramHeaders = MCPParamHeader.mirrored(declared, bytes: message.bytes, arguments: argumentsRange)
            + clientParamHeaders.filter { !declaredNames.contains($0.name.lowercased()) }
        let limits = settings()
        let caller = Self.caller(of: exchange)
        if let refusal = limiter.acquire(
            endpoint: endpoint.name, caller: caller, endpointLimit: limits.maxConcurrentCallsPerEndpoint,
            callerLimit: limits.maxConcurrentCallsPerCaller)
        {
            let message: String
            let reason: String
            switch refusal {
            case .callerShareFull(let limit):
                message = "this caller is running its maximum of \(limit) concurrent calls on endpoint \(endpoint.name); retry when one finishes"
                reason = "caller-limit"
            case .endpointFull(let limit):
                message = "endpoint \(endpoint.name) is running its maximum of \(limit) concurrent calls; retry shortly"
                reason = "endpoint-limit"
            }
            auditCall(
                exchange: exchange, exposedName: name, tool: exposed.tool, outcome: .throttled, started: started,
                requestBytes: requestBytes, responseBytes: 0, detail: message, reason: reason, arguments: nil, result: nil)
            var response = Self.jsonError(status: .tooManyRequests, id: id, code: JSONRPCErrorCode.internalError, message: message)
            response.headers[.retryAfter] = "1"
            return response
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
        let call = UpstreamToolCall(
            server: server, params: RawJSON.object(upstreamParams), headers: paramHeaders, clientToken: clientToken,
            key: InFlightCalls.key(
                endpoint: endpoint.name, grant: exchange.grant?.grantID, session: exchange.sessionID, requestID: id.text))
        let capture = endpoint.capturePayloads ? argumentsRange.map { message.raw($0) } : nil

        let accept = exchange.request.headers[.accept] ?? ""
        let streaming = allowStreaming && clientToken != nil && accept.contains("text/event-stream")
        if streaming {
            return eventStream(context: exchange.context, grant: exchange.grant) { send in
                defer { self.limiter.release(endpoint: endpoint.name, caller: caller) }
                let reply = await self.run(call, id: id, exchange: exchange, exposed: exposed, started: started,
                                           requestBytes: requestBytes, capture: capture) { progress in
                    try? await send(progress)
                }
                try await send(reply)
            }
        }
        defer { limiter.release(endpoint: endpoint.name, caller: caller) }
        // The client closing its connection cancels the call; it still returns (as cancelled) and is audited.
        let reply = await run(call, id: id, exchange: exchange, exposed: exposed, started: started,
                              requestBytes: requestBytes, capture: capture, progress: nil, closing: exchange.context.channel)
        return Self.json(reply)
    }

    /// Calls the upstream and returns the JSON-RPC response for the client, auditing the call.
    func run(
        _ call: UpstreamToolCall, id: RawJSON, exchange: MCPExchange, exposed: ExposedTool, started: ContinuousClock.Instant,
        requestBytes: Int, capture: RawJSON?, progress: (@Sendable (RawJSON) async -> Void)?,
        closing: (any Channel)? = nil
    ) async -> RawJSON {
        let server = call.server
        // Upstream progress is re-tagged with the client's token and relayed in order through a stream.
        let relay: (stream: AsyncStream<RawJSON>, continuation: AsyncStream<RawJSON>.Continuation)? =
            progress != nil && call.clientToken != nil ? AsyncStream<RawJSON>.makeStream(bufferingPolicy: .bufferingNewest(64)) : nil
        var progressSink: (@Sendable (RawJSON) -> Void)?
        if let relay, let clientToken = call.clientToken {
            progressSink = { upstreamParams in
                relay.continuation.yield(JSONRPC.notification(
                    method: "notifications/progress", params: Self.replacingProgressToken(upstreamParams, with: clientToken)))
            }
        }
        let sink = progressSink

        let outcome: ToolCallOutcome
        let reply: RawJSON
        var detail: String?
        var resultBytes: RawJSON?
        do {
            let raw = try await withThrowingTaskGroup(of: RawJSON?.self) { group in
                if let relay, let progress {
                    group.addTask {
                        for await notification in relay.stream { await progress(notification) }
                        return nil
                    }
                }
                // `settled` wakes this task when the call ends or must stop: a client's notifications/cancelled,
                // or the client's connection closing. One child task per call, no watcher tasks.
                let settled = OneShotSignal()
                let cancelled = OneShotSignal()
                group.addTask {
                    defer {
                        relay?.continuation.finish()
                        settled.fire()
                    }
                    let user = exchange.grant?.user
                    do {
                        let client = try await self.upstreams.client(for: server, user: user)
                        return try await client.request(
                            "tools/call", params: call.params, headers: call.headers, timeout: .seconds(server.callTimeoutSeconds),
                            progress: sink)
                    } catch UpstreamError.unauthorized(let why) {
                        // The upstream no longer takes the token (revoked or expired early): refresh it once and retry.
                        guard try await self.upstreams.credentialRejected(server: server, user: user) else {
                            throw UpstreamError.unauthorized(why)
                        }
                        let client = try await self.upstreams.client(for: server, user: user)
                        return try await client.request(
                            "tools/call", params: call.params, headers: call.headers, timeout: .seconds(server.callTimeoutSeconds),
                            progress: sink)
                    }
                }
                let token = self.inFlight.register(call.key) {
                    cancelled.fire()
                    settled.fire()
                }
                defer { self.inFlight.unregister(call.key, token: token) }
                let closeSignal = closing.map { self.connectionClosed.signal(for: $0) }
                let closeAction = closeSignal?.onFire {
                    cancelled.fire()
                    settled.fire()
                }
                defer { if let closeSignal, let closeAction { closeSignal.removeAction(closeAction) } }
                await settled.wait()
                if cancelled.hasFired { group.cancelAll() }
                // The call's answer ends the group; progress relaying stops with it.
                while let value = try await group.next() {
                    if let value {
                        group.cancelAll()
                        return value
                    }
                }
                throw CancellationError()
            }
            // One scan of the top level serves both the isError check and the _meta edit.
            let members = try? JSONScanner.members(of: raw.bytes)
            resultBytes = raw
            reply = JSONRPC.result(id: id, result: finish(raw, members: members, exchange: exchange))
            let isError = members?["isError"].map { raw.bytes[$0].elementsEqual("true".utf8) } ?? false
            outcome = isError ? .error : .ok
            if isError { detail = "the tool reported an error" }
        } catch let error as UpstreamError {
            switch error {
            case .rpc(_, let message, let rawError):
                reply = JSONRPC.error(id: id, rawError: rawError)
                outcome = .error
                detail = message
            case .timeout(let limit):
                reply = JSONRPC.error(
                    id: id, code: JSONRPCErrorCode.requestTimeout,
                    message: "server \(server.name) did not answer within \(limit.components.seconds) s")
                outcome = .timeout
                detail = error.description
            default:
                reply = JSONRPC.error(
                    id: id, code: JSONRPCErrorCode.upstreamUnavailable, message: "server \(server.name): \(error.description)")
                outcome = .error
                detail = error.description
            }
        } catch let error as UpstreamCredentialRequired {
            // A tool error, so the model can tell the user what to do.
            let result = JSONValue.object([
                "content": [["type": "text", "text": .string(error.message)]], "isError": true,
            ])
            reply = JSONRPC.result(id: id, result: finish(RawJSON(result), members: nil, exchange: exchange))
            outcome = .error
            detail = error.message
        } catch is CancellationError {
            reply = JSONRPC.error(id: id, code: JSONRPCErrorCode.requestCancelled, message: "request cancelled")
            outcome = .cancelled
            detail = "cancelled by the client"
        } catch {
            reply = JSONRPC.error(id: id, code: JSONRPCErrorCode.internalError, message: "server \(server.name): \(error)")
            outcome = .error
            detail = "\(error)"
        }
        auditCall(
            exchange: exchange, exposedName: exposed.exposedName, tool: exposed.tool, outcome: outcome, started: started,
            requestBytes: requestBytes, responseBytes: resultBytes?.bytes.count ?? 0, detail: detail, arguments: capture,
            result: exchange.snapshot.endpoint.capturePayloads ? resultBytes : nil)
        return reply
    }

    /// Who a call counts against for the per-caller share: the grant, or on endpoints without authentication the
    /// client address.
    static func caller(of exchange: MCPExchange) -> String {
        if let grant = exchange.grant { return "grant:" + grant.grantID }
        return "address:" + (exchange.context.clientAddress ?? "unknown")
    }

    /// Rewrites an upstream progress notification's params to carry the client's own token.
    static func replacingProgressToken(_ params: RawJSON, with token: RawJSON) -> RawJSON {
        guard let members = try? JSONScanner.members(of: params.bytes) else { return params }
        var rebuilt: [(String, RawJSON)] = [("progressToken", token)]
        for (key, range) in members.sorted(by: { $0.value.lowerBound < $1.value.lowerBound }) where key != "progressToken" {
            rebuilt.append((key, RawJSON(params.bytes[range])))
        }
        return RawJSON.object(rebuilt)
    }

    func auditCall(
        exchange: MCPExchange, exposedName: String, tool: Tool?, outcome: ToolCallOutcome, started: ContinuousClock.Instant,
        requestBytes: Int, responseBytes: Int, detail: String?, reason: String? = nil, arguments: RawJSON?, result: RawJSON?
    ) {
        let elapsed = ContinuousClock.now - started
        let microseconds = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        let endpoint = exchange.snapshot.endpoint.name
        var fields: [AuditField: String] = [
            .endpoint: endpoint,
            .exposedName: exposedName,
            .outcome: outcome.rawValue,
            .durationMicroseconds: String(microseconds),
            .requestBytes: String(requestBytes),
            .responseBytes: String(responseBytes),
            .client: exchange.clientName,
            .protocolVersion: exchange.era == .modern ? MCPProtocol.modernVersion : exchange.protocolVersion,
        ]
        if !exchange.clientVersion.isEmpty { fields[.clientVersion] = exchange.clientVersion }
        if let tool {
            fields[.server] = tool.server
            fields[.tool] = tool.name
        }
        if let detail { fields[.detail] = detail }
        if let reason { fields[.reason] = reason }
        if exchange.versionHeaderDiffers {
            // A known client quirk, served: say what the header said (claude.ai sends 2025-11-25 with 2026-07-28 bodies).
            fields[.versionHeader] = exchange.headerVersion ?? "none"
        }
        if let sessionID = exchange.sessionID { fields[.session] = sessionID }
        if let grant = exchange.grant {
            fields[.user] = grant.user
            fields[.grant] = grant.grantID
            fields[.clientID] = grant.clientID
        }
        if let address = exchange.context.clientAddress { fields[.remoteAddress] = address }
        let cap = 4096
        if let arguments { fields[.arguments] = String(arguments.text.prefix(cap)) }
        if let result { fields[.result] = String(result.text.prefix(cap)) }
        let kind: AuditEventKind = outcome == .denied || outcome == .throttled ? .toolDenied : .toolCall
        let target = tool.map { "\($0.server)/\($0.name)" } ?? exposedName
        audit.record(AuditEvent(kind: kind, message: "\(target) on \(endpoint): \(outcome.rawValue)", fields: fields))
    }

    /// Audits a `tools/call` refused before it ran (header mismatch, ended session, malformed params, wrong
    /// Content-Type) as denied, with the reason; other messages are not audited.
    func auditRefusedCall(_ message: JSONRPCMessage, exchange: MCPExchange, reason: String) {
        guard message.kind == .request, message.method == "tools/call" else { return }
        let name = message.paramsName ?? ""
        let arguments = message.paramsMembers["arguments"]
        auditCall(
            exchange: exchange, exposedName: name, tool: exchange.snapshot.byName[name]?.tool, outcome: .denied,
            started: .now, requestBytes: arguments?.count ?? 0, responseBytes: 0, detail: reason, arguments: nil, result: nil)
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

/// What a tool call sends upstream.
struct UpstreamToolCall: Sendable {
    let server: Server
    let params: RawJSON
    /// `Mcp-Param-*` headers for an HTTP upstream: the declared arguments mirrored, the client's unknown ones forwarded.
    let headers: [(name: String, value: String)]
    let clientToken: RawJSON?
    let key: String
}
