import NIOCore
import SentinelCore
import SentinelCrypto
import SentinelStore
import SentinelUpstream

/// One request upstream, whatever its method: the credential (`UpstreamProvider.request`), progress relayed in
/// order, cancellation (`notifications/cancelled` or the client's connection closing), the server's timeout, and the
/// reply for each way it can fail. `tools/call` (`run`), `prompts/get`, `resources/read` and `completion/complete`
/// all go through `forward`.
extension MCPEndpointHandler {
    /// How a forwarded request failed, as the client is answered and the audit records it.
    struct ForwardFailure {
        var reply: RawJSON
        var outcome: ToolCallOutcome
        var detail: String
        /// The upstream's own JSON-RPC error, when it answered with one (`resources/read` translates not-found codes).
        var upstreamError: (code: Int, message: String, raw: RawJSON)?
    }

    /// Sends `request` upstream with the caller's credential and returns the upstream's raw result. Throws
    /// `CancellationError` when the client cancelled it (by `notifications/cancelled` with the request's id, or by
    /// closing `closing`), and what `UpstreamProvider.request` throws otherwise; `failure(of:…)` turns any of it
    /// into the reply.
    func forward(
        _ request: UpstreamRequest, exchange: MCPExchange, progress: (@Sendable (RawJSON) async -> Void)? = nil,
        closing: (any Channel)? = nil
    ) async throws -> RawJSON {
        let server = request.server
        // Upstream progress is re-tagged with the client's token and relayed in order through a stream.
        let relay: (stream: AsyncStream<RawJSON>, continuation: AsyncStream<RawJSON>.Continuation)? =
            progress != nil && request.clientToken != nil
            ? AsyncStream<RawJSON>.makeStream(bufferingPolicy: .bufferingNewest(64)) : nil
        var progressSink: (@Sendable (RawJSON) -> Void)?
        if let relay, let clientToken = request.clientToken {
            progressSink = { upstreamParams in
                relay.continuation.yield(JSONRPC.notification(
                    method: "notifications/progress", params: Self.replacingProgressToken(upstreamParams, with: clientToken)))
            }
        }
        let sink = progressSink
        return try await withThrowingTaskGroup(of: RawJSON?.self) { group in
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
                return try await self.upstreams.request(
                    server: server, user: exchange.grant?.user, method: request.method, params: request.params,
                    headers: request.headers, timeout: .seconds(server.callTimeoutSeconds), progress: sink)
            }
            let token = self.inFlight.register(request.key) {
                cancelled.fire()
                settled.fire()
            }
            defer { self.inFlight.unregister(request.key, token: token) }
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
    }

    /// The reply, audit outcome and detail for an error `forward` threw.
    func failure(of error: any Error, request: UpstreamRequest, id: RawJSON, exchange: MCPExchange) -> ForwardFailure {
        let server = request.server
        switch error {
        case let error as UpstreamError:
            switch error {
            case .rpc(let code, let message, let rawError):
                return ForwardFailure(
                    reply: MCPReplies.upstreamError(id: id, server: server.name, code: code, message: message, raw: rawError),
                    outcome: .error, detail: message, upstreamError: (code, message, rawError))
            case .timeout(let limit):
                return ForwardFailure(
                    reply: MCPReplies.timeout(id: id, server: server.name, limit: limit), outcome: .timeout, detail: error.description)
            default:
                return ForwardFailure(
                    reply: MCPReplies.upstreamUnavailable(id: id, server: server.name, why: error.description), outcome: .error,
                    detail: error.description)
            }
        case let error as UpstreamCredentialRequired:
            // For a tool call, a tool error the model can read to tell the user what to do; for any request of a
            // client that can show a URL, the spec's request to open the page where the user connects the account.
            let prompt = Self.connectPrompt(for: error, request: request, exchange: exchange)
            let reply = exchange.replies.credentialRequired(
                id: id, message: error.message, server: error.server ?? server.name, url: error.connectURL ?? "", prompt: prompt,
                asToolResult: request.method == "tools/call", elicitationID: SecureRandom.token(bytes: 16))
            switch prompt {
            case .toolError: return ForwardFailure(reply: reply, outcome: .error, detail: error.message)
            case .urlElicitationRequired, .inputRequired:
                return ForwardFailure(reply: reply, outcome: .error, detail: error.message + " (the client was asked to open the page)")
            }
        case is CancellationError:
            return ForwardFailure(reply: MCPReplies.cancelled(id: id), outcome: .cancelled, detail: "cancelled by the client")
        default:
            return ForwardFailure(
                reply: MCPReplies.internalError(id: id, server: server.name, why: "\(error)"), outcome: .error, detail: "\(error)")
        }
    }

    /// Calls the upstream tool and returns the JSON-RPC response for the client, auditing the call. `reason` says why a
    /// name that is not an exposed one reached the tool (`app-name`), for the audit.
    func run(
        _ call: UpstreamRequest, id: RawJSON, exchange: MCPExchange, exposedName: String, tool: Tool,
        started: ContinuousClock.Instant, requestBytes: Int, capture: RawJSON?, reason: String? = nil,
        progress: (@Sendable (RawJSON) async -> Void)?, closing: (any Channel)? = nil
    ) async -> RawJSON {
        let reply: RawJSON
        let outcome: ToolCallOutcome
        var detail: String?
        var resultBytes: RawJSON?
        do {
            let raw = try await forward(call, exchange: exchange, progress: progress, closing: closing)
            // Resource links and embedded resources name URIs the client may read back: mapped like every URI the
            // endpoint shows. Anything else passes as it came (one byte search when there is nothing to map).
            let mapped = ContentURIRewriter.toolResult(raw, server: call.server.name)
            // One scan of the top level serves both the isError check and the _meta edit.
            let members = try? JSONScanner.members(of: mapped.bytes)
            resultBytes = raw
            reply = exchange.replies.passedThrough(id: id, mapped, members: members)
            let isError = members?["isError"].map { mapped.bytes[$0].elementsEqual("true".utf8) } ?? false
            outcome = isError ? .error : .ok
            if isError { detail = "the tool reported an error" }
        } catch {
            let failure = failure(of: error, request: call, id: id, exchange: exchange)
            reply = failure.reply
            outcome = failure.outcome
            detail = failure.detail
        }
        auditCall(
            exchange: exchange, exposedName: exposedName, tool: tool, outcome: outcome, started: started,
            requestBytes: requestBytes, responseBytes: resultBytes?.bytes.count ?? 0, detail: detail, reason: reason,
            arguments: capture, result: exchange.snapshot.endpoint.capturePayloads ? resultBytes : nil)
        return reply
    }

    /// How to tell this caller to connect the credential `error` names (see `MCPConnectPrompt`).
    static func connectPrompt(for error: UpstreamCredentialRequired, request: UpstreamRequest, exchange: MCPExchange) -> MCPConnectPrompt {
        let answered = request.answered.contains(MCPConnectPrompt.inputKey(server: error.server ?? request.server.name))
        return MCPConnectPrompt.choose(
            modern: exchange.era == .modern, capabilities: exchange.capabilities, hasURL: error.connectURL != nil,
            answered: answered)
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
}
