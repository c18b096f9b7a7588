import SentinelCore

/// The audit entry of every `prompts/get`, `resources/read` and `completion/complete`: served (`prompt-get`,
/// `resource-read`, `completion`, with the upstream's outcome) or refused (`prompt-denied`, `resource-denied`,
/// `completion-denied`: unknown, disabled, not readable, malformed, throttled). One entry per request.
extension MCPEndpointHandler {
    func auditOperation(
        _ operation: MCPOperation, exchange: MCPExchange, target: MCPOperation.Target, outcome: ToolCallOutcome,
        started: ContinuousClock.Instant, requestBytes: Int, responseBytes: Int = 0, detail: String?, reason: String? = nil,
        arguments: RawJSON? = nil, result: RawJSON? = nil
    ) {
        var fields = requestAuditFields(
            exchange: exchange, outcome: outcome, started: started, requestBytes: requestBytes, responseBytes: responseBytes,
            detail: detail, reason: reason, arguments: arguments, result: result)
        let named: [(AuditField, String?)] = [
            (.server, target.server), (.exposedName, target.exposedName), (.prompt, target.prompt), (.uri, target.uri),
            (.upstreamURI, target.upstreamURI), (.ref, target.ref), (.argument, target.argument),
        ]
        for case (let field, let value?) in named { fields[field] = value }
        let denied = outcome == .denied || outcome == .throttled
        let kind = denied ? operation.deniedKind : operation.servedKind
        let what: String
        switch (target.server, target.prompt, target.upstreamURI) {
        case (let server?, let prompt?, _): what = "\(server)/\(prompt)"
        case (let server?, nil, let uri?): what = "\(server) \(uri)"
        default: what = target.exposedName ?? target.uri ?? "(unnamed)"
        }
        audit.record(AuditEvent(
            kind: kind, message: "\(kind.rawValue) \(what) on \(exchange.snapshot.endpoint.name): \(outcome.rawValue)",
            fields: fields))
    }

    /// Audits an operation refused before it was resolved (malformed params, a header or session refusal) as denied.
    func auditRefusedOperation(_ operation: MCPOperation, _ message: JSONRPCMessage, exchange: MCPExchange, reason: String) {
        let params = message.paramsMembers
        var target = MCPOperation.Target()
        switch operation {
        case .promptGet: target.exposedName = message.paramsName
        case .resourceRead: target.uri = params["uri"].flatMap { message.decode($0)?.stringValue }
        case .completion:
            let ref = params["ref"].flatMap { message.decode($0) }
            target.ref = ref?["type"]?.stringValue.map { $0.hasPrefix("ref/") ? String($0.dropFirst(4)) : $0 }
            target.exposedName = ref?["name"]?.stringValue
            target.uri = ref?["uri"]?.stringValue
        }
        auditOperation(
            operation, exchange: exchange, target: target, outcome: .denied, started: .now,
            requestBytes: Self.requestBytes(of: operation, message), detail: reason)
    }

    /// What `SENTINEL_REQUEST_BYTES` counts: the prompt's `arguments`, the `uri` read, the completion's `argument`
    /// (as `arguments` for a tool call: the part of the request the client chose).
    static func requestBytes(of operation: MCPOperation, _ message: JSONRPCMessage) -> Int {
        let params = message.paramsMembers
        switch operation {
        case .promptGet: return params["arguments"]?.count ?? 0
        case .resourceRead: return params["uri"]?.count ?? 0
        case .completion: return params["argument"]?.count ?? 0
        }
    }
}
