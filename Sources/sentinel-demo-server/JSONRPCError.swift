import SentinelCore

/// A JSON-RPC error object: what the server answers instead of a result.
struct JSONRPCError: Error, Sendable, Equatable {
    var code: Int
    var message: String
    var data: JSONValue?

    static func parseError(_ detail: String) -> JSONRPCError {
        JSONRPCError(code: JSONRPCErrorCode.parseError, message: "Parse error: \(detail)")
    }

    static func invalidRequest(_ detail: String) -> JSONRPCError {
        JSONRPCError(code: JSONRPCErrorCode.invalidRequest, message: "Invalid request: \(detail)")
    }

    static func methodNotFound(_ method: String) -> JSONRPCError {
        JSONRPCError(code: JSONRPCErrorCode.methodNotFound, message: "Method not found: \(method)", data: ["method": .string(method)])
    }

    static func invalidParams(_ detail: String) -> JSONRPCError {
        JSONRPCError(code: JSONRPCErrorCode.invalidParams, message: "Invalid params: \(detail)")
    }

    /// MCP (handshake era) answers a call to a tool that does not exist with `invalidParams`.
    static func unknownTool(_ name: String) -> JSONRPCError {
        JSONRPCError(code: JSONRPCErrorCode.invalidParams, message: "Unknown tool: \(name)", data: ["name": .string(name)])
    }

    static func internalError(_ detail: String) -> JSONRPCError {
        JSONRPCError(code: JSONRPCErrorCode.internalError, message: "Internal error: \(detail)")
    }

    /// `unsupportedVersion`: the per-request envelope names a version this server does not serve.
    static func unsupportedProtocolVersion(requested: String, supported: [String]) -> JSONRPCError {
        JSONRPCError(
            code: JSONRPCErrorCode.unsupportedVersion,
            message: "Unsupported protocol version \(requested); this server serves "
                + "\(supported.joined(separator: ", ")) per request, and \(MCPProtocol.handshakeVersions.last ?? "") to "
                + "\(MCPProtocol.latestHandshakeVersion) through initialize",
            data: ["supported": JSONValue(supported), "requested": .string(requested)])
    }

    /// The error response to the request `id` (nil when the request's id could not be read: parse errors).
    func response(to id: RequestID?) -> RawJSON {
        JSONRPC.error(id: id?.raw, code: code, message: message, data: data)
    }
}
