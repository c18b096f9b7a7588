import Hummingbird
import SentinelCore

/// `resources/templates/list`: the endpoint's listed templates (mapped URI templates), paged, from its cached snapshot
/// (see `listPage`).
extension MCPEndpointHandler {
    func resourceTemplatesList(_ message: JSONRPCMessage, id: RawJSON, exchange: MCPExchange) -> Response {
        listPage(message, id: id, exchange: exchange, "resourceTemplates", elements: exchange.snapshot.templateDefinitions)
    }
}
