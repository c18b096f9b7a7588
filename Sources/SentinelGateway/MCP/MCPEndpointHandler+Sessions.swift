import Hummingbird
import SentinelCore
import SentinelStore

/// DELETE: a handshake-era client ends its session.
extension MCPEndpointHandler {
    func delete(_ request: Request, context: GatewayRequestContext) async -> Response {
        let admission = await admit(request, context: context)
        guard case .admitted(let snapshot, let grant) = admission else { return admission.refusal }
        guard let sessionID = request.headers[.mcpSessionID] else {
            return MCPReplies.jsonError(status: .badRequest, id: nil, code: JSONRPCErrorCode.invalidRequest,
                                  message: "DELETE needs an Mcp-Session-Id header")
        }
        switch await sessions.end(
            sessionID, endpoint: snapshot.endpoint.name, grant: grant?.grantID, idleSeconds: settings().sessionIdleSeconds)
        {
        case .valid:
            return Response(status: .noContent)
        case .refused(let why):
            return MCPReplies.jsonError(status: .notFound, id: nil, code: JSONRPCErrorCode.invalidRequest, message: why)
        case .unavailable(let why):
            return MCPReplies.jsonError(status: .internalServerError, id: nil, code: JSONRPCErrorCode.internalError, message: why)
        }
    }
}
