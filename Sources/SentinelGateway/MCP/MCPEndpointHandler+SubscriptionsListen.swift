import Hummingbird
import SentinelCore

/// `subscriptions/listen` (2026-07-28): a stream of the endpoint's notifications the client asked for.
extension MCPEndpointHandler {
    /// Acknowledges the list changes the client asked for (`toolsListChanged`, `promptsListChanged`,
    /// `resourcesListChanged`), all of which the endpoint honours, and then sends only those. `resourceSubscriptions`
    /// are not served yet, so the acknowledgement omits them ("acknowledge only what you honour").
    func subscriptionsListen(_ message: JSONRPCMessage, id: RawJSON, exchange: MCPExchange) -> Response {
        let requested = message.paramsMembers["notifications"].flatMap { message.decode($0) }
        let kinds = MCPListKind.allCases.filter { requested?[$0.listenFilterKey]?.boolValue == true }
        let wanted = Set(kinds)
        let subscriptionMeta = RawJSON.object([(MCPProtocol.subscriptionIDKey, id)])
        let acknowledged = RawJSON.object(kinds.map { ($0.listenFilterKey, RawJSON(Array("true".utf8))) })
        let ack = JSONRPC.notification(
            method: "notifications/subscriptions/acknowledged",
            params: RawJSON.object([("_meta", subscriptionMeta), ("notifications", acknowledged)]))
        let listener = hub.listen(endpoint: exchange.snapshot.endpoint.name) { notice in
            guard case .listChanged(let kind) = notice else { return false }
            return wanted.contains(kind)
        }
        return eventStream(context: exchange.context, grant: exchange.grant) { send in
            try await send(ack)
            for await notice in listener.stream {
                guard case .listChanged(let kind) = notice else { continue }
                // Tagged with the subscription it answers.
                try await send(JSONRPC.notification(method: kind.notificationMethod, params: RawJSON.object([("_meta", subscriptionMeta)])))
            }
        }
    }
}
