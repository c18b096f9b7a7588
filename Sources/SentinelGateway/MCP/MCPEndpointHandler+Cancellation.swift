import SentinelCore
import SentinelStore

/// `notifications/cancelled`: stops a call in flight.
extension MCPEndpointHandler {
    /// Cancels the caller's call with the notification's `requestId`, if it is still running.
    func cancelled(_ message: JSONRPCMessage, exchange: MCPExchange) {
        guard let requestID = message.paramsMembers["requestId"].map({ message.raw($0).text }) else { return }
        let endpoint = exchange.snapshot.endpoint.name
        let grant = exchange.grant?.grantID
        // Claude does not echo Mcp-Session-Id: a call may be registered with or without one; both are this caller's.
        if !inFlight.cancel(InFlightCalls.key(endpoint: endpoint, grant: grant, session: exchange.sessionID, requestID: requestID)) {
            _ = inFlight.cancel(InFlightCalls.key(endpoint: endpoint, grant: grant, session: nil, requestID: requestID))
        }
    }
}
