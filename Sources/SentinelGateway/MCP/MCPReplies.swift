import HTTPTypes
import Hummingbird
import NIOCore
import SentinelCore

/// Builds every result and error Sentinel itself sends on an endpoint, as the client's protocol era wants it.
///
/// 2026-07-28 results carry `resultType` and name this endpoint in `_meta[io.modelcontextprotocol/serverInfo]`;
/// handshake-era results carry neither. Sentinel's own results are assembled from members, so the era's members are
/// added without scanning what was built (a 500-tool `tools/list` is ~100 KB: scanning it cost the list 1.5× its time,
/// make bench scenario 2); an upstream's result goes through `passedThrough`, which edits only its top level and
/// `_meta`. JSON-RPC errors carry neither member in either era; their HTTP status may depend on the era.
struct MCPReplies: Sendable {
    /// How long a client may cache a list (`cacheScope`, 2026-07-28).
    enum CacheScope: String, Sendable {
        /// The same for every caller (`server/discover`).
        case `public`
        /// Depends on who asks (`tools/list`: a grant's endpoint).
        case `private`
    }

    let era: MCPExchange.Era
    let endpoint: Endpoint
    /// Sentinel's version, for `serverInfo`.
    let version: String

    init(era: MCPExchange.Era, endpoint: Endpoint, version: String) {
        self.era = era
        self.endpoint = endpoint
        self.version = version
    }

    // MARK: - Results

    /// A result of Sentinel's own, from its members.
    func result(id: RawJSON, _ members: [(String, RawJSON)]) -> RawJSON {
        result(id: id, type: "complete", members)
    }

    /// A result of Sentinel's own with the 2026-07-28 `resultType` `type` (`complete`, `input_required`).
    private func result(id: RawJSON, type: String, _ members: [(String, RawJSON)]) -> RawJSON {
        var members = members
        if era == .modern {
            members.insert(("resultType", RawJSON(string: type)), at: 0)
            members.append(("_meta", RawJSON.object([(MCPProtocol.serverInfoKey, serverInfo)])))
        }
        return JSONRPC.result(id: id, result: RawJSON.object(members))
    }

    /// `result` as an `application/json` response.
    func resultResponse(id: RawJSON, _ members: [(String, RawJSON)]) -> Response {
        Self.json(result(id: id, members))
    }

    /// A result of Sentinel's own whose first member is an array of `elements` (tools/list), written straight into
    /// the response body: the same bytes as `resultResponse` with the array as a member, but each element is copied
    /// once instead of four times (array, result object, response object, body buffer), which for a ~100 KB list
    /// was most of its cost: the copies' page faults led the profile.
    func listResponse(id: RawJSON, _ name: String, elements: ArraySlice<RawJSON>, then members: [(String, RawJSON)]) -> Response {
        let after = RawJSON.object(trailingMembers(members)).bytes.dropFirst()  // `…}`, or `}` when empty
        let head = Array(#"{"jsonrpc":"2.0","id":"#.utf8) + id.bytes + Array(#","result":{"#.utf8)
            + (era == .modern ? Array(#""resultType":"complete","#.utf8) : []) + RawJSON(string: name).bytes + Array(":[".utf8)
        var body = ByteBufferAllocator().buffer(capacity: elements.reduce(head.count + after.count + 4) { $0 + $1.bytes.count + 1 })
        body.writeBytes(head)
        for (index, element) in elements.enumerated() {
            if index > 0 { body.writeInteger(UInt8(ascii: ",")) }
            body.writeBytes(element.bytes)
        }
        body.writeInteger(UInt8(ascii: "]"))
        if after.count > 1 { body.writeInteger(UInt8(ascii: ",")) }
        body.writeBytes(after)
        body.writeInteger(UInt8(ascii: "}"))
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }

    /// The members that follow a list's array: the caller's, then the era's `_meta` (`resultType` goes first).
    private func trailingMembers(_ members: [(String, RawJSON)]) -> [(String, RawJSON)] {
        era == .modern ? members + [("_meta", RawJSON.object([(MCPProtocol.serverInfoKey, serverInfo)]))] : members
    }

    /// An upstream's result as the client's era wants it: modern results name this endpoint as their server
    /// (replacing the upstream's `serverInfo`), handshake-era ones carry no upstream's; nothing else changes.
    /// `members` are the result's top-level members when the caller scanned them already.
    func passedThrough(id: RawJSON, _ result: RawJSON, members: [String: Range<Int>]?) -> RawJSON {
        let edited: RawJSON
        switch era {
        case .modern: edited = MCPResultMeta.modern(result, members: members, serverInfo: serverInfo)
        case .handshake: edited = MCPResultMeta.handshake(result, members: members)
        }
        return JSONRPC.result(id: id, result: edited)
    }

    /// A tool error (`isError: true`) with one text: what the model should tell the user (a credential to connect, say).
    func toolError(id: RawJSON, _ text: String) -> RawJSON {
        let content: JSONValue = [["type": "text", "text": .string(text)]]
        return result(id: id, [("content", RawJSON(content)), ("isError", RawJSON(Array("true".utf8)))])
    }

    /// The reply to a tool call whose credential the caller must connect (missing, expired or refused upstream), as
    /// `prompt` says (`MCPConnectPrompt.choose`): the readable tool error, or a URL elicitation of the page at `url`
    /// with `message` as its text: error -32042 in the handshake era (`elicitationID` names it), an `input_required`
    /// result under `MCPConnectPrompt.inputKey(server:)` in 2026-07-28.
    /// A request that is not a tool call (`asToolResult` false: `prompts/get`, `resources/read`…) has no tool error: its
    /// readable fallback is a JSON-RPC error (-31003, the upstream is unavailable to this caller) with `message` and
    /// `data.url`.
    func credentialRequired(
        id: RawJSON, message: String, server: String, url: String, prompt: MCPConnectPrompt, asToolResult: Bool = true,
        elicitationID: @autoclosure () -> String
    ) -> RawJSON {
        switch prompt {
        case .toolError:
            guard asToolResult else {
                return JSONRPC.error(
                    id: id, code: JSONRPCErrorCode.upstreamUnavailable, message: message,
                    data: url.isEmpty ? ["server": .string(server)] : ["server": .string(server), "url": .string(url)])
            }
            return toolError(id: id, message)
        case .urlElicitationRequired:
            let elicitation: JSONValue = [
                "mode": "url", "elicitationId": .string(elicitationID()), "url": .string(url), "message": .string(message),
            ]
            return JSONRPC.error(
                id: id, code: JSONRPCErrorCode.urlElicitationRequired, message: message, data: ["elicitations": [elicitation]])
        case .inputRequired:
            let request: JSONValue = [
                "method": "elicitation/create", "params": ["mode": "url", "url": .string(url), "message": .string(message)],
            ]
            return result(id: id, type: "input_required", [
                ("inputRequests", RawJSON.object([(MCPConnectPrompt.inputKey(server: server), RawJSON(request))])),
            ])
        }
    }

    /// The members that say how long a list may be cached: never, so the next request shows the current tools.
    static func cacheMembers(scope: CacheScope) -> [(String, RawJSON)] {
        [("ttlMs", RawJSON(Array("0".utf8))), ("cacheScope", RawJSON(string: scope.rawValue))]
    }

    /// A `resources/read` result with the 2026-07-28 caching hints the endpoint may give (design 3.5): the upstream's
    /// `ttlMs` when it gave one, else 0; `cacheScope` `public` only when the upstream said so of a server every caller
    /// reads with the same credential, else `private` (a personal server's resources are the caller's own, and an
    /// upstream that said nothing did not promise more). An `input_required` result (or any not `complete`) gets none;
    /// a result that is not an object is returned as it is.
    static func readCacheHints(_ result: RawJSON, personal: Bool) -> RawJSON {
        let bytes = result.bytes
        guard let members = try? JSONScanner.members(of: bytes), let open = bytes.firstIndex(of: UInt8(ascii: "{")) else {
            return result
        }
        if let type = members["resultType"], RawJSON.string(from: bytes[type]) != "complete" { return result }
        let upstreamScope = members["cacheScope"].flatMap { RawJSON.string(from: bytes[$0]) }
        let scope = !personal && upstreamScope == CacheScope.public.rawValue ? CacheScope.public : .private
        var inserted: [(String, RawJSON)] = []
        if members["ttlMs"] == nil { inserted.append(("ttlMs", RawJSON(Array("0".utf8)))) }
        var out = bytes
        if let range = members["cacheScope"] {
            out.replaceSubrange(range, with: RawJSON(string: scope.rawValue).bytes)
        } else {
            inserted.append(("cacheScope", RawJSON(string: scope.rawValue)))
        }
        if !inserted.isEmpty {
            // Inserted first, so the replacement above (later in the bytes) keeps its position valid.
            var text = Array(RawJSON.object(inserted).bytes.dropFirst().dropLast())
            if !members.isEmpty { text.append(UInt8(ascii: ",")) }
            out.insert(contentsOf: text, at: open + 1)
        }
        return RawJSON(out)
    }

    /// `serverInfo` naming this endpoint, built without an encoder: every 2026-07-28 result carries it.
    var serverInfo: RawJSON {
        RawJSON.object([
            ("name", RawJSON(string: "sentinel/\(endpoint.name)")), ("title", RawJSON(string: "Sentinel: \(endpoint.name)")),
            ("version", RawJSON(string: version)),
        ])
    }

    /// What `initialize` and `server/discover` tell a client about the endpoint.
    var instructions: String {
        endpoint.description.isEmpty ? "Tools of the Sentinel endpoint \(endpoint.name)." : endpoint.description
    }

    // MARK: - JSON-RPC errors of a served request

    /// An unknown method: 404 in 2026-07-28 (the method is in a header a proxy may route on), 200 before.
    func methodNotFound(id: RawJSON, method: String) -> Response {
        Self.jsonError(
            status: era == .modern ? .notFound : .ok, id: id, code: JSONRPCErrorCode.methodNotFound,
            message: "method not found: \(method)")
    }

    /// Invalid params of a request that was otherwise served (200, as JSON-RPC errors of a served request are).
    static func invalidParams(id: RawJSON, _ message: String) -> RawJSON {
        JSONRPC.error(id: id, code: JSONRPCErrorCode.invalidParams, message: message)
    }

    /// A resource the endpoint does not expose, or that its upstream does not have, as the client's era says it:
    /// -32002 "Resource not found" in the handshake era, -32602 in 2026-07-28 (server/resources "Error Handling"),
    /// with `data.uri` the URI as the endpoint shows it. Sentinel's own refusals (unmappable, other server, not
    /// enabled) and the upstream's not-found answers read the same, so a client cannot probe what exists.
    func resourceNotFound(id: RawJSON, uri: String, message: String = "Resource not found") -> RawJSON {
        JSONRPC.error(
            id: id, code: era == .modern ? JSONRPCErrorCode.invalidParams : JSONRPCErrorCode.resourceNotFound, message: message,
            data: ["uri": .string(uri)])
    }

    /// A `prompts/get` (or a completion's `ref/prompt`) naming a prompt that is unknown or disabled on this endpoint.
    static func unknownPrompt(id: RawJSON, name: String) -> RawJSON {
        invalidParams(id: id, "Unknown prompt: \(name)")
    }

    /// A call to a tool that is unknown or disabled on this endpoint.
    static func unknownTool(id: RawJSON, name: String) -> RawJSON {
        invalidParams(id: id, "Unknown tool: \(name)")
    }

    /// The upstream's own JSON-RPC error, passed on as it came; except a code the MCP specification reserves
    /// (-32020…-32099), which speaks of the hop between Sentinel and the upstream, in the upstream's protocol era (a
    /// header mismatch, an unsupported version, a URL elicitation Sentinel never declared it could show): passed on,
    /// it would send the client after a fault it cannot fix (the SDK re-lists tools on -32020), so it is reported as
    /// the upstream's fault with its message.
    static func upstreamError(id: RawJSON, server: String, code: Int, message: String, raw: RawJSON) -> RawJSON {
        guard JSONRPCErrorCode.reservedForMCP.contains(code) else { return JSONRPC.error(id: id, rawError: raw) }
        return upstreamUnavailable(id: id, server: server, why: "the server answered with error \(code): \(message)")
    }

    /// The upstream did not answer within the server's call timeout.
    static func timeout(id: RawJSON, server: String, limit: Duration) -> RawJSON {
        JSONRPC.error(
            id: id, code: JSONRPCErrorCode.requestTimeout,
            message: "server \(server) did not answer within \(limit.components.seconds) s")
    }

    /// The upstream failed, broke the protocol or could not be reached.
    static func upstreamUnavailable(id: RawJSON, server: String, why: String) -> RawJSON {
        JSONRPC.error(id: id, code: JSONRPCErrorCode.upstreamUnavailable, message: "server \(server): \(why)")
    }

    /// The client cancelled the call (`notifications/cancelled`, or its connection closed).
    static func cancelled(id: RawJSON) -> RawJSON {
        JSONRPC.error(id: id, code: JSONRPCErrorCode.requestCancelled, message: "request cancelled")
    }

    /// A failure of the gateway itself while serving a call.
    static func internalError(id: RawJSON, server: String, why: String) -> RawJSON {
        JSONRPC.error(id: id, code: JSONRPCErrorCode.internalError, message: "server \(server): \(why)")
    }

    /// 429 with `Retry-After`: the endpoint, or the caller's share of it, runs its maximum of concurrent calls.
    static func throttled(id: RawJSON, _ message: String) -> Response {
        var response = jsonError(status: .tooManyRequests, id: id, code: JSONRPCErrorCode.callLimitReached, message: message)
        response.headers[.retryAfter] = "1"
        return response
    }

    // MARK: - HTTP

    static func json(_ body: RawJSON, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: body.bytes)))
    }

    /// A JSON-RPC error with an HTTP status: a request refused before it was served (admission, body, headers).
    static func jsonError(
        status: HTTPResponse.Status, id: RawJSON?, code: Int, message: String, data: JSONValue? = nil
    ) -> Response {
        json(JSONRPC.error(id: id, code: code, message: message, data: data), status: status)
    }
}
