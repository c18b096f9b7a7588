import Hummingbird
import SentinelCore

/// `completion/complete`: completes an argument of an enabled prompt (`ref/prompt`, by exposed name) or of a resource
/// the endpoint opens (`ref/resource`, by a readable URI or a listed template, as the endpoint shows them), asking the
/// server that offers it. Anything else is -32602. The result passes as it came (with the era's members).
extension MCPEndpointHandler {
    func completion(_ message: JSONRPCMessage, id: RawJSON, exchange: MCPExchange) async -> Response {
        let started = ContinuousClock.now
        let requestBytes = Self.requestBytes(of: .completion, message)
        let params = message.paramsMembers
        let bytes = message.bytes
        var target = MCPOperation.Target()
        func refuse(_ detail: String, reason: String? = nil, reply: RawJSON? = nil) -> Response {
            deny(.completion, exchange: exchange, target: target, started: started, requestBytes: requestBytes, detail: detail,
                 reason: reason, reply: reply ?? MCPReplies.invalidParams(id: id, detail))
        }
        guard let refRange = params["ref"], bytes[refRange].first == UInt8(ascii: "{"),
            let ref = try? JSONScanner.members(of: bytes, in: refRange),
            let type = ref["type"].flatMap({ RawJSON.string(from: bytes[$0]) })
        else { return refuse("params.ref must be an object with a type") }
        guard let argumentRange = params["argument"], bytes[argumentRange].first == UInt8(ascii: "{"),
            let argument = try? JSONScanner.members(of: bytes, in: argumentRange),
            let argumentName = argument["name"].flatMap({ RawJSON.string(from: bytes[$0]) })
        else { return refuse("params.argument must be an object with a name") }
        target.argument = argumentName
        if let context = params["context"], bytes[context].first != UInt8(ascii: "{") {
            return refuse("params.context must be an object")
        }

        // The ref as the upstream names it: the same object with `name` (or `uri`) replaced, positionally.
        let server: Server
        let upstreamRef: RawJSON
        switch type {
        case "ref/prompt":
            target.ref = "prompt"
            guard let nameRange = ref["name"], let name = RawJSON.string(from: bytes[nameRange]) else {
                return refuse("params.ref.name is required")
            }
            target.exposedName = name
            let known = exchange.snapshot.promptsByName[name]
            target.server = known?.prompt.server
            target.prompt = known?.prompt.name
            guard let exposed = known, exposed.enabled, let found = exchange.snapshot.servers[exposed.prompt.server] else {
                return refuse(
                    known == nil ? "no such prompt on this endpoint" : "prompt is disabled on this endpoint",
                    reply: MCPReplies.unknownPrompt(id: id, name: name))
            }
            server = found
            upstreamRef = Self.replacing(nameRange, in: bytes, of: refRange, with: RawJSON(string: exposed.prompt.name))
        case "ref/resource":
            target.ref = "resource"
            guard let uriRange = ref["uri"], let uri = RawJSON.string(from: bytes[uriRange]) else {
                return refuse("params.ref.uri is required")
            }
            target.uri = uri
            let unknown = MCPReplies.invalidParams(id: id, "Unknown resource: \(uri)")
            // A URI or a URI template (2026-07-28): a readable URI, or a template the endpoint lists.
            let origin: ResourceURIMap.Origin
            if let resource = ResourceURIMap.unmap(uri), exchange.snapshot.access.isReadable(server: resource.server, uri: resource.uri) {
                origin = resource
            } else if let template = ResourceURIMap.unmapTemplate(uri),
                exchange.snapshot.templates.contains(where: { $0.server == template.server && $0.uriTemplate == template.uri })
            {
                origin = template
            } else {
                target.server = (ResourceURIMap.unmap(uri) ?? ResourceURIMap.unmapTemplate(uri))?.server
                return refuse("no resource or template the endpoint lists", reason: "not-enabled", reply: unknown)
            }
            target.server = origin.server
            target.upstreamURI = origin.uri
            guard let found = exchange.snapshot.servers[origin.server] else {
                return refuse("server \(origin.server) is not attached to this endpoint", reason: "not-attached", reply: unknown)
            }
            server = found
            upstreamRef = Self.replacing(uriRange, in: bytes, of: refRange, with: RawJSON(string: origin.uri))
        default:
            return refuse("params.ref.type must be ref/prompt or ref/resource")
        }
        var members: [(String, RawJSON)] = [("ref", upstreamRef), ("argument", message.raw(argumentRange))]
        if let context = params["context"] { members.append(("context", message.raw(context))) }
        let request = UpstreamRequest(
            server: server, method: "completion/complete", params: Self.withForwardedMeta(members, of: message),
            key: Self.inFlightKey(id: id, exchange: exchange), answered: Self.answeredInputs(message, exchange: exchange))
        let capture = exchange.snapshot.endpoint.capturePayloads ? message.raw(argumentRange) : nil
        return await serve(
            .completion, request, id: id, exchange: exchange, target: target, started: started, requestBytes: requestBytes,
            capture: capture
        ) { raw in
            exchange.replies.passedThrough(id: id, raw, members: nil)
        }
    }

    /// The object at `object` of `bytes` with the value at `value` (inside it) replaced by `replacement`.
    static func replacing(_ value: Range<Int>, in bytes: [UInt8], of object: Range<Int>, with replacement: RawJSON) -> RawJSON {
        RawJSON(Array(bytes[object.lowerBound..<value.lowerBound]) + replacement.bytes + Array(bytes[value.upperBound..<object.upperBound]))
    }
}
