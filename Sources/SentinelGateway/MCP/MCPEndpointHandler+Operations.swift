import Hummingbird
import SentinelCore

/// What `prompts/get`, `resources/read` and `completion/complete` share once resolved: the concurrency limits (the
/// same as tool calls'), the upstream request (`forward`), the reply for each ending and one audit entry.
extension MCPEndpointHandler {
    /// Runs a resolved operation upstream. `answer` turns the upstream's result into the client's reply (URIs mapped,
    /// era members); `translate` may change how a failure is answered (`resources/read`'s not-found codes).
    func serve(
        _ operation: MCPOperation, _ request: UpstreamRequest, id: RawJSON, exchange: MCPExchange, target: MCPOperation.Target,
        started: ContinuousClock.Instant, requestBytes: Int, capture: RawJSON?,
        answer: (RawJSON) -> RawJSON, translate: (ForwardFailure) -> ForwardFailure = { $0 }
    ) async -> Response {
        if let refusal = acquireSlot(exchange: exchange) {
            auditOperation(
                operation, exchange: exchange, target: target, outcome: .throttled, started: started, requestBytes: requestBytes,
                detail: refusal.message, reason: refusal.reason)
            return MCPReplies.throttled(id: id, refusal.message)
        }
        defer { limiter.release(endpoint: exchange.snapshot.endpoint.name, caller: Self.caller(of: exchange)) }
        let reply: RawJSON
        let outcome: ToolCallOutcome
        var detail: String?
        var resultBytes: RawJSON?
        do {
            // The client closing its connection cancels the request; it still returns (as cancelled) and is audited.
            let raw = try await forward(request, exchange: exchange, closing: exchange.context.channel)
            resultBytes = raw
            reply = answer(raw)
            outcome = .ok
        } catch {
            let failure = translate(failure(of: error, request: request, id: id, exchange: exchange))
            reply = failure.reply
            outcome = failure.outcome
            detail = failure.detail
        }
        auditOperation(
            operation, exchange: exchange, target: target, outcome: outcome, started: started, requestBytes: requestBytes,
            responseBytes: resultBytes?.bytes.count ?? 0, detail: detail, arguments: capture,
            result: exchange.snapshot.endpoint.capturePayloads ? resultBytes : nil)
        return MCPReplies.json(reply)
    }

    /// Refuses an operation Sentinel will not forward (unknown, disabled, not readable, malformed): audited as denied
    /// with `detail` (and `reason`), answered with `reply`.
    func deny(
        _ operation: MCPOperation, exchange: MCPExchange, target: MCPOperation.Target, started: ContinuousClock.Instant,
        requestBytes: Int, detail: String, reason: String? = nil, reply: RawJSON
    ) -> Response {
        auditOperation(
            operation, exchange: exchange, target: target, outcome: .denied, started: started, requestBytes: requestBytes,
            detail: detail, reason: reason)
        return MCPReplies.json(reply)
    }

    /// The client's `_meta` members to forward upstream: all but what belongs to this hop (its progress token, the
    /// era keys `io.modelcontextprotocol/…`), by key.
    static func forwardedMeta(_ message: JSONRPCMessage) -> [(String, RawJSON)] {
        message.metaMembers().filter { $0.key != "progressToken" && !$0.key.hasPrefix(MCPProtocol.metaPrefix) }
            .sorted { $0.key < $1.key }
            .map { ($0.key, message.raw($0.value)) }
    }

    /// `members` with the forwarded `_meta` appended when there is any.
    static func withForwardedMeta(_ members: [(String, RawJSON)], of message: JSONRPCMessage) -> RawJSON {
        let meta = forwardedMeta(message)
        return RawJSON.object(meta.isEmpty ? members : members + [("_meta", RawJSON.object(meta))])
    }

    /// The keys of a 2026-07-28 request's `inputResponses`: the input requests of an earlier `input_required` reply
    /// this retry answers (`MCPConnectPrompt`).
    static func answeredInputs(_ message: JSONRPCMessage, exchange: MCPExchange) -> Set<String> {
        guard exchange.era == .modern, let responses = message.paramsMembers["inputResponses"],
            let members = try? JSONScanner.members(of: message.bytes, in: JSONScanner.trimmed(message.bytes, responses))
        else { return [] }
        return Set(members.keys)
    }

    /// The key of a request among those in flight (`notifications/cancelled` names it by id).
    static func inFlightKey(id: RawJSON, exchange: MCPExchange) -> String {
        InFlightCalls.key(
            endpoint: exchange.snapshot.endpoint.name, grant: exchange.grant?.grantID, session: exchange.sessionID,
            requestID: id.text)
    }

    /// A string member of the params, decoded; nil when absent or not a string.
    static func stringParam(_ message: JSONRPCMessage, _ key: String) -> String? {
        message.paramsMembers[key].flatMap { RawJSON.string(from: message.bytes[JSONScanner.trimmed(message.bytes, $0)]) }
    }
}
