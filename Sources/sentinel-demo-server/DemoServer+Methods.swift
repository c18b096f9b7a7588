import SentinelCore

extension DemoServer {
    static let name = "sentinel-demo-server"

    var serverInfo: JSONValue {
        ["name": .string(Self.name), "title": "Sentinel demo server", "version": .string(SentinelVersion.current)]
    }

    var capabilities: JSONValue { ["tools": ["listChanged": true]] }

    var instructions: String {
        "A test server: echo, add and time answer at once; slow reports progress; fail returns a tool error; "
            + "crash ends the process; hang never answers."
    }

    /// The result of one request, or a thrown `JSONRPCError` / `CancellationError`.
    func result(for request: IncomingRequest, era: ProtocolEra) async throws -> JSONValue {
        switch request.method {
        case "initialize": return try initialize(request)
        case "ping": return era.finish([:])
        case "server/discover": return discover()
        case "tools/list": return try listTools(request, era: era)
        case "tools/call": return try await callTool(request, era: era)
        default: throw JSONRPCError.methodNotFound(request.method)
        }
    }

    private func initialize(_ request: IncomingRequest) throws(JSONRPCError) -> JSONValue {
        guard case .string(let requested)? = request.params["protocolVersion"] else {
            throw .invalidParams("initialize needs \"protocolVersion\" (a string)")
        }
        let version = MCPProtocol.isHandshake(requested) ? requested : MCPProtocol.latestHandshakeVersion
        return [
            "protocolVersion": .string(version),
            "capabilities": capabilities,
            "serverInfo": serverInfo,
            "instructions": .string(instructions),
        ]
    }

    /// Answers in the 2026-07-28 shape whether or not the probe carried the envelope.
    private func discover() -> JSONValue {
        ProtocolEra.modern(version: MCPProtocol.modernVersion).finish(
            [
                // Every version but the oldest, which predates server/discover and is served through initialize only.
                "supportedVersions": JSONValue(Array(MCPProtocol.allVersions.dropFirst())),
                "capabilities": capabilities,
                "serverInfo": serverInfo,
                "instructions": .string(instructions),
                // Where 2026-07-28 clients (the Python SDK among them) look for the server's identity.
                "_meta": [MCPProtocol.serverInfoKey: serverInfo],
            ], cacheable: true)
    }

    private func listTools(_ request: IncomingRequest, era: ProtocolEra) throws(JSONRPCError) -> JSONValue {
        let cursor: String?
        switch request.params["cursor"] {
        case nil, .null?: cursor = nil
        case .string(let text)?: cursor = text
        default: throw .invalidParams("\"cursor\" must be a string")
        }
        let page = try catalog.page(cursor: cursor, size: options.pageSize)
        var result: [String: JSONValue] = ["tools": .array(page.tools.map(\.definition))]
        if let next = page.nextCursor { result["nextCursor"] = .string(next) }
        return era.finish(result, cacheable: true)
    }

    private func callTool(_ request: IncomingRequest, era: ProtocolEra) async throws -> JSONValue {
        guard case .string(let name)? = request.params["name"] else {
            throw JSONRPCError.invalidParams("tools/call needs \"name\" (a string)")
        }
        let arguments: [String: JSONValue]
        switch request.params["arguments"] {
        case nil, .null?: arguments = [:]
        case .object(let object)?: arguments = object
        default: throw JSONRPCError.invalidParams("\"arguments\" must be an object")
        }
        guard let tool = catalog.tool(named: name) else {
            throw JSONRPCError.unknownTool(name)
        }
        let result = try await runner.call(
            tool, arguments: ToolArguments(values: arguments), progress: try progressReporter(for: request))
        return era.finish(result.fields)
    }

    private func progressReporter(for request: IncomingRequest) throws(JSONRPCError) -> ProgressReporter? {
        switch request.meta?["progressToken"] {
        case nil, .null?: return nil
        case let token? where RequestID(token) != nil:
            let id = request.id
            return ProgressReporter(token: token, output: output, isLive: { [inFlight] in inFlight.contains(id) })
        default: throw .invalidParams("_meta.progressToken must be a string or an integer")
        }
    }
}
