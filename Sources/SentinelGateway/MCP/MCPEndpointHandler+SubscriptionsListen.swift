import Hummingbird
import SentinelCore

/// `subscriptions/listen` (2026-07-28): a stream of the endpoint's notifications.
extension MCPEndpointHandler {
    func subscriptionsListen(_ message: JSONRPCMessage, id: RawJSON, exchange: MCPExchange) -> Response {
        let requested = message.paramsMembers["notifications"].flatMap { message.decode($0) }
        let wantsTools = requested?["toolsListChanged"]?.boolValue == true
        let acknowledged: JSONValue = wantsTools ? ["toolsListChanged": true] : [:]
        let subscriptionMeta = RawJSON.object([(MCPProtocol.subscriptionIDKey, id)])
        let ack = JSONRPC.notification(
            method: "notifications/subscriptions/acknowledged",
            params: RawJSON.object([("_meta", subscriptionMeta), ("notifications", RawJSON(acknowledged))]))
        let listener = hub.listen(endpoint: exchange.snapshot.endpoint.name)
        return eventStream(context: exchange.context, grant: exchange.grant) { send in
            try await send(ack)
            // The hub carries only tools/list_changed; here it is tagged with the subscription.
            for await _ in listener.stream where wantsTools {
                try await send(JSONRPC.notification(
                    method: "notifications/tools/list_changed", params: RawJSON.object([("_meta", subscriptionMeta)])))
            }
        }
    }
}
