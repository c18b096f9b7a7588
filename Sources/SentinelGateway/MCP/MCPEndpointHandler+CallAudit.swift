import SentinelCore
import SentinelStore

/// The audit entry of every tool call: served, refused, denied, throttled, cancelled or timed out; and the fields every
/// data-plane entry shares (`+OperationAudit` writes prompts', resources' and completions').
extension MCPEndpointHandler {
    func auditCall(
        exchange: MCPExchange, exposedName: String, tool: Tool?, outcome: ToolCallOutcome, started: ContinuousClock.Instant,
        requestBytes: Int, responseBytes: Int, detail: String?, reason: String? = nil, arguments: RawJSON?, result: RawJSON?
    ) {
        var fields = requestAuditFields(
            exchange: exchange, outcome: outcome, started: started, requestBytes: requestBytes, responseBytes: responseBytes,
            detail: detail, reason: reason, arguments: arguments, result: result)
        fields[.exposedName] = exposedName
        if let tool {
            fields[.server] = tool.server
            fields[.tool] = tool.name
        }
        let kind: AuditEventKind = outcome == .denied || outcome == .throttled ? .toolDenied : .toolCall
        let target = tool.map { "\($0.server)/\($0.name)" } ?? exposedName
        audit.record(AuditEvent(
            kind: kind, message: "\(target) on \(exchange.snapshot.endpoint.name): \(outcome.rawValue)", fields: fields))
    }

    /// The fields of every data-plane audit entry: endpoint, outcome, duration and sizes, who called (client, user,
    /// grant, session, address) in which protocol version, why (detail, reason), and with payload capture the
    /// arguments and result (each cut at 4096 bytes).
    func requestAuditFields(
        exchange: MCPExchange, outcome: ToolCallOutcome, started: ContinuousClock.Instant, requestBytes: Int, responseBytes: Int,
        detail: String?, reason: String?, arguments: RawJSON?, result: RawJSON?
    ) -> [AuditField: String] {
        let elapsed = ContinuousClock.now - started
        let microseconds = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        var fields: [AuditField: String] = [
            .endpoint: exchange.snapshot.endpoint.name,
            .outcome: outcome.rawValue,
            .durationMicroseconds: String(microseconds),
            .requestBytes: String(requestBytes),
            .responseBytes: String(responseBytes),
            .client: exchange.clientName,
            .protocolVersion: exchange.era == .modern ? MCPProtocol.modernVersion : exchange.protocolVersion,
        ]
        if !exchange.clientVersion.isEmpty { fields[.clientVersion] = exchange.clientVersion }
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
        return fields
    }

    /// Audits a request refused before it ran (header mismatch, ended session, malformed params, wrong Content-Type) as
    /// denied, with the reason: a `tools/call` as `tool-denied`, a `prompts/get`, `resources/read` or
    /// `completion/complete` as its operation's denial; other messages are not audited.
    func auditRefusedCall(_ message: JSONRPCMessage, exchange: MCPExchange, reason: String) {
        guard message.kind == .request else { return }
        if let operation = message.method.flatMap(MCPOperation.init(method:)) {
            auditRefusedOperation(operation, message, exchange: exchange, reason: reason)
            return
        }
        guard message.method == "tools/call" else { return }
        let name = message.paramsName ?? ""
        let arguments = message.paramsMembers["arguments"]
        auditCall(
            exchange: exchange, exposedName: name, tool: exchange.snapshot.byName[name]?.tool, outcome: .denied,
            started: .now, requestBytes: arguments?.count ?? 0, responseBytes: 0, detail: reason, arguments: nil, result: nil)
    }
}
