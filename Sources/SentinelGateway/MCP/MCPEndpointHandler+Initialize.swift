import Hummingbird
import Logging
import SentinelCore
import SentinelStore

/// `initialize` (handshake era): opens a session.
extension MCPEndpointHandler {
    func initialize(_ message: JSONRPCMessage, id: RawJSON, exchange: MCPExchange) async -> Response {
        let params = message.paramsMembers
        let requested = params["protocolVersion"].flatMap { message.decode($0)?.stringValue } ?? ""
        let version = MCPProtocol.isHandshake(requested) ? requested : MCPProtocol.latestHandshakeVersion
        let info = params["clientInfo"].flatMap { message.decode($0) }
        let replies = exchange.replies
        var response = replies.resultResponse(id: id, [
            ("protocolVersion", RawJSON(string: version)),
            ("capabilities", Self.capabilities),
            ("serverInfo", replies.serverInfo),
            ("instructions", RawJSON(string: replies.instructions)),
        ])
        let endpoint = exchange.snapshot.endpoint.name
        do {
            response.headers[.mcpSessionID] = try await sessions.create(
                endpoint: endpoint, grant: exchange.grant?.grantID, protocolVersion: version,
                capabilities: MCPClientCapabilities(initialize: message, version: version),
                clientName: info?["name"]?.stringValue ?? "unknown", clientVersion: info?["version"]?.stringValue ?? "")
        } catch {
            // Sessions are optional: the client is served without one.
            logger.error("cannot issue an MCP session on endpoint \(endpoint): \(error)")
        }
        return response
    }
}
