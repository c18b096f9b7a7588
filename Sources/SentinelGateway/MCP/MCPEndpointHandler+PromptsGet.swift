import Hummingbird
import SentinelCore

/// `prompts/get`: an enabled prompt by its exposed name, fetched from its server with the caller's credential. The
/// result passes as it came, except the URIs of its resource content blocks (mapped, `ContentURIRewriter`) and the
/// era's members. Unknown or disabled: -32602 `Unknown prompt: X` (both eras).
extension MCPEndpointHandler {
    func promptGet(_ message: JSONRPCMessage, id: RawJSON, exchange: MCPExchange) async -> Response {
        let started = ContinuousClock.now
        let requestBytes = Self.requestBytes(of: .promptGet, message)
        var target = MCPOperation.Target()
        func refuse(_ detail: String, reason: String? = nil, reply: RawJSON) -> Response {
            deny(.promptGet, exchange: exchange, target: target, started: started, requestBytes: requestBytes, detail: detail,
                 reason: reason, reply: reply)
        }
        guard let name = Self.stringParam(message, "name") else {
            return refuse("params.name is required", reply: MCPReplies.invalidParams(id: id, "params.name is required"))
        }
        target.exposedName = name
        let argumentsRange = message.paramsMembers["arguments"]
        if let argumentsRange, message.bytes[argumentsRange].first != UInt8(ascii: "{") {
            return refuse(
                "params.arguments must be an object", reply: MCPReplies.invalidParams(id: id, "params.arguments must be an object"))
        }
        let known = exchange.snapshot.promptsByName[name]
        target.server = known?.prompt.server
        target.prompt = known?.prompt.name
        guard let exposed = known, exposed.enabled, let server = exchange.snapshot.servers[exposed.prompt.server] else {
            return refuse(
                known == nil ? "no such prompt on this endpoint" : "prompt is disabled on this endpoint",
                reply: MCPReplies.unknownPrompt(id: id, name: name))
        }
        var members: [(String, RawJSON)] = [("name", RawJSON(string: exposed.prompt.name))]
        if let argumentsRange { members.append(("arguments", message.raw(argumentsRange))) }
        let request = UpstreamRequest(
            server: server, method: "prompts/get", params: Self.withForwardedMeta(members, of: message),
            key: Self.inFlightKey(id: id, exchange: exchange), answered: Self.answeredInputs(message, exchange: exchange))
        let capture = exchange.snapshot.endpoint.capturePayloads ? argumentsRange.map { message.raw($0) } : nil
        return await serve(
            .promptGet, request, id: id, exchange: exchange, target: target, started: started, requestBytes: requestBytes,
            capture: capture
        ) { raw in
            exchange.replies.passedThrough(id: id, ContentURIRewriter.promptResult(raw, server: server.name), members: nil)
        }
    }
}
