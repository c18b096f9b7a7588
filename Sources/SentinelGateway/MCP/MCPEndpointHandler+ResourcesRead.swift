import Hummingbird
import SentinelCore

/// `resources/read`: a URI as the endpoint shows it (`ResourceURIMap`), read from its server with the caller's
/// credential when the endpoint opens it (`ResourceAccess`). Anything else, whatever the reason, is "not found" in the
/// client's era (`MCPReplies.resourceNotFound`), and so is the upstream's own not-found answer; the audit says which.
extension MCPEndpointHandler {
    func resourceRead(_ message: JSONRPCMessage, id: RawJSON, exchange: MCPExchange) async -> Response {
        let started = ContinuousClock.now
        let requestBytes = Self.requestBytes(of: .resourceRead, message)
        var target = MCPOperation.Target()
        func refuse(_ detail: String, reason: String? = nil, reply: RawJSON) -> Response {
            deny(.resourceRead, exchange: exchange, target: target, started: started, requestBytes: requestBytes, detail: detail,
                 reason: reason, reply: reply)
        }
        guard let uri = Self.stringParam(message, "uri") else {
            return refuse("params.uri is required", reply: MCPReplies.invalidParams(id: id, "params.uri is required"))
        }
        target.uri = uri
        let notFound = exchange.replies.resourceNotFound(id: id, uri: uri)
        guard let origin = ResourceURIMap.unmap(uri) else {
            return refuse("the URI is not one this endpoint shows", reason: "unmappable", reply: notFound)
        }
        target.server = origin.server
        target.upstreamURI = origin.uri
        guard let server = exchange.snapshot.servers[origin.server] else {
            return refuse("server \(origin.server) is not attached to this endpoint", reason: "not-attached", reply: notFound)
        }
        guard exchange.snapshot.access.isReadable(server: origin.server, uri: origin.uri) else {
            return refuse("no resource rule or enabled tool opens this URI", reason: "not-enabled", reply: notFound)
        }
        var members: [(String, RawJSON)] = [("uri", RawJSON(string: origin.uri))]
        // A multi-round-trip read (2026-07-28 input_required) passes through: its answers and state are the upstream's.
        // Answers to Sentinel's own "connect your account" request are not.
        let answered = Self.answeredInputs(message, exchange: exchange)
        if !answered.isEmpty, !answered.allSatisfy({ $0.hasPrefix(MCPConnectPrompt.inputKey(server: "")) }) {
            for key in ["inputResponses", "requestState"] {
                if let range = message.paramsMembers[key] { members.append((key, message.raw(range))) }
            }
        }
        let request = UpstreamRequest(
            server: server, method: "resources/read", params: Self.withForwardedMeta(members, of: message),
            key: Self.inFlightKey(id: id, exchange: exchange), answered: answered)
        let personal = server.credentialMode == .personal
        let replies = exchange.replies
        return await serve(
            .resourceRead, request, id: id, exchange: exchange, target: target, started: started, requestBytes: requestBytes,
            capture: nil,
            answer: { raw in
                var result = ContentURIRewriter.readResult(raw, server: server.name)
                if replies.era == .modern { result = MCPReplies.readCacheHints(result, personal: personal) }
                return replies.passedThrough(id: id, result, members: nil)
            },
            translate: { failure in
                // Upstreams answer a missing resource with -32002 or -32602 whatever era they speak (the SDKs use -32602
                // even towards 2025-11-25 clients): either is not-found, said the way this client's era says it.
                guard let upstream = failure.upstreamError,
                    upstream.code == JSONRPCErrorCode.resourceNotFound || upstream.code == JSONRPCErrorCode.invalidParams
                else { return failure }
                var translated = failure
                translated.reply = replies.resourceNotFound(id: id, uri: uri, message: upstream.message)
                return translated
            })
    }
}
